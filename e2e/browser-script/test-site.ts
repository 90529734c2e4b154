/**
 * A tiny static site for the browser-script specs: serves the built
 * `twclid.iife.js`, test pages, a fake uwt.js that reports every `twq` call, and
 * records every POST (events, capture calls, form posts, Pixel calls).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const IIFE_PATH = `${REPO_DIR}packages/browser/dist/twclid.iife.js`;

const SRC_DIR = `${REPO_DIR}packages/browser/src`;

/** The IIFE is missing or older than a source file of the browser package. */
const isStale = () => {
  if (!existsSync(IIFE_PATH)) return true;
  const built = statSync(IIFE_PATH).mtimeMs;
  return readdirSync(SRC_DIR, { recursive: true }).some(
    (file) => statSync(`${SRC_DIR}/${file}`).mtimeMs > built,
  );
};

/** Builds the browser package (`npm run build -w @twclid-kit/browser`) when its IIFE is missing or stale. */
export function ensureBuilt(): string {
  if (isStale()) {
    execFileSync('npm', ['run', 'build', '-w', '@twclid-kit/browser'], {
      cwd: REPO_DIR,
      stdio: 'pipe',
    });
  }
  return readFileSync(IIFE_PATH, 'utf8');
}

export interface Recorded {
  path: string;
  contentType: string;
  body: string;
  /**
   * The client waited for the whole (delayed) response. A request the browser
   * cancelled when the page went away has its connection closed first.
   */
  completed: boolean;
}

// Stands in for uwt.js: takes over the stub's queue and beacons every call to /pixel,
// so a spec sees the Pixel events even after the page navigated away.
const FAKE_UWT = `(function(){var q=window.twq;function exe(){navigator.sendBeacon('/pixel',
JSON.stringify([].slice.call(arguments)))}q.exe=exe;(q.queue||[]).forEach(function(a){exe.apply(null,a)});q.queue=[]})();`;

/** A page with the script tag carrying `attributes` and the given body HTML. */
export const page = (attributes: string, body = '') => `<!doctype html><html><head>
<script>window.pageErrors=[];addEventListener('error',function(e){pageErrors.push(String(e.message))});</script>
<script src="/twclid.iife.js" ${attributes} defer></script></head><body>${body}</body></html>`;

export interface TestSite {
  port: number;
  /** Every POST received, in order. */
  posts: Recorded[];
  /** Registers a page at `path` (any query string is ignored). */
  pages: Map<string, string>;
  /** Delay before answering event and capture POSTs, in ms (to keep them in flight during unload). */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

export async function startTestSite(): Promise<TestSite> {
  const script = ensureBuilt();
  const posts: Recorded[] = [];
  const pages = new Map<string, string>();
  let delay = 0;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const post: Recorded = {
          path,
          contentType: req.headers['content-type'] ?? '',
          body: Buffer.concat(chunks).toString('utf8'),
          completed: false,
        };
        posts.push(post);
        res.on('finish', () => {
          post.completed = !res.socket?.destroyed;
        });
        setTimeout(
          () => {
            if (res.socket?.destroyed) return;
            if (path.startsWith('/tw/')) res.writeHead(204).end();
            else res.writeHead(200, { 'content-type': 'text/html' }).end('<p>thanks</p>');
          },
          path.startsWith('/tw/') ? delay : 0,
        );
      });
      return;
    }
    const send = (type: string, body: string) =>
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    if (path === '/twclid.iife.js') return send('text/javascript', script);
    if (path === '/uwt.js') return send('text/javascript', FAKE_UWT);
    const html = pages.get(path);
    if (html) return send('text/html', html);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    posts,
    pages,
    setDelay: (ms) => {
      delay = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
