/**
 * The bench pages for the browser script (bench:load and the load profile): a
 * landing page with product.md's script tag and one conversion form, served with
 * the kit's script, an empty script, or the minimal capture script.
 */
import { createServer, type Server } from 'node:http';

/** A valid 26-character click ID. */
export const TWCLID = '23opevjt88psuo13lu8d020qkn';

/**
 * A second, stricter reference: the least any click-capturing script must do on
 * a landing (one cookie write, one localStorage write, one keepalive POST).
 * Chromium's first cookie and storage access in a page costs a synchronous
 * round trip to the browser process, which an empty script never pays.
 */
export const MINIMAL_CAPTURE = `(function(){var m=/[?&]twclid=([^&]+)/.exec(location.search);if(!m)return;
document.cookie='_min='+m[1]+'; path=/; max-age=7776000; samesite=lax';
try{localStorage.setItem('_min',m[1])}catch(e){}
fetch('/tw/capture',{method:'POST',keepalive:true,body:JSON.stringify({twclid:m[1]})});})();`;

/** The scripts a bench page can load: `/<name>.html` loads `/<name>.js`. */
export type PageScript = 'kit' | 'empty' | 'minimal';

function page(scriptPath: string): string {
  // The tag exactly as docs/product.md shows it, plus a conversion form for the script to decorate.
  return `<!doctype html><html><head><meta charset="utf-8"><title>Landing</title>
<script src="${scriptPath}" data-pixel-id="o8z6j" data-endpoint="/tw/events" defer></script>
</head><body><h1>Spring sale</h1>
<form data-tw-event="o87ne" method="post" action="/thanks">
<input type="email" name="email"><input type="tel" name="phone"><button>Buy</button>
</form></body></html>`;
}

/** Serves the three pages on 127.0.0.1 (a random port); every other request is answered 204. */
export function startSite(script: Buffer | string): Promise<Server> {
  const routes: Record<string, { type: string; body: string | Buffer }> = {
    '/kit.html': { type: 'text/html', body: page('/twclid.iife.js') },
    '/empty.html': { type: 'text/html', body: page('/empty.js') },
    '/twclid.iife.js': { type: 'text/javascript', body: script },
    '/empty.js': { type: 'text/javascript', body: '' },
    '/minimal.html': { type: 'text/html', body: page('/minimal.js') },
    '/minimal.js': { type: 'text/javascript', body: MINIMAL_CAPTURE },
  };
  const server = createServer((req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (route) {
      res.writeHead(200, { 'content-type': route.type, 'cache-control': 'no-store' });
      res.end(route.body);
    } else {
      // The capture and event endpoints (and anything else): accepted, no body.
      req.resume();
      res.writeHead(204).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
