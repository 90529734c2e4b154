/**
 * The `uwt.js` stand-in served at `GET /uwt.js`.
 *
 * X's base code defines a stub `twq` that pushes each call's `arguments` onto
 * `twq.queue` until uwt.js loads, and calls `twq.exe(...)` once uwt.js has set
 * it [SAMPLES]:
 *
 *   !function(e,t,n,s,u,a){e.twq||(s=e.twq=function(){s.exe?s.exe.apply(s,arguments)
 *   :s.queue.push(arguments);},s.version='1.1',s.queue=[],u=t.createElement(n),
 *   u.async=!0,u.src='https://static.ads-twitter.com/uwt.js',a=t.getElementsByTagName(n)[0],
 *   a.parentNode.insertBefore(u,a))}(window,document,'script');
 *
 * This script does the same from the other side: it sets `twq.exe`, replays the
 * queue in order, then handles calls directly. It reports to the origin it was
 * loaded from (its own `src`), so a page on another port reports to the
 * emulator that served it. Raw email/phone travel to the emulator, which hashes
 * them on arrival. It never throws into the host page.
 */

/** Path the script reports to, relative to its own origin. */
export const PIXEL_COLLECT_PATH = '/_pixel/collect';

export const PIXEL_SCRIPT = `/* twclid-kit emulator: X Pixel stand-in (uwt.js) */
(function (w, d) {
  'use strict';
  try {
    var me = d.currentScript;
    var src = me && me.src;
    if (!src) {
      var scripts = d.getElementsByTagName('script');
      for (var i = scripts.length - 1; i >= 0; i--) {
        if (/\\/uwt\\.js(\\?|#|$)/.test(scripts[i].src)) { src = scripts[i].src; break; }
      }
    }
    if (!src) return;
    var endpoint = new URL(src, w.location.href).origin + '${PIXEL_COLLECT_PATH}';
    var pixels = [];

    function cookie(name) {
      var parts = ('; ' + d.cookie).split('; ' + name + '=');
      if (parts.length < 2) return '';
      var raw = parts[parts.length - 1].split(';')[0];
      try { return decodeURIComponent(raw); } catch (e) { return raw; }
    }

    // Click ID: the landing URL first, then the Pixel's _twclid cookie (plain or
    // JSON {"twclid": ...}), then the kit's _twclid_kit cookie (1.<ms>.<twclid>).
    function clickId() {
      try {
        var fromUrl = new URL(w.location.href).searchParams.get('twclid');
        if (fromUrl) return { id: fromUrl, source: 'url' };
      } catch (e) {}
      var pixelCookie = cookie('_twclid');
      if (pixelCookie) {
        if (pixelCookie.charAt(0) === '{') {
          try {
            var parsed = JSON.parse(pixelCookie);
            if (parsed && typeof parsed.twclid === 'string' && parsed.twclid) return { id: parsed.twclid, source: 'cookie' };
          } catch (e) {}
        } else {
          return { id: pixelCookie, source: 'cookie' };
        }
      }
      var kit = /^1\\.\\d{1,16}\\.(.+)$/.exec(cookie('_twclid_kit'));
      if (kit) return { id: kit[1], source: 'kit_cookie' };
      return null;
    }

    // Like the real Pixel, keep a click seen in the URL in the first-party _twclid cookie.
    function remember(click) {
      if (!click || click.source !== 'url') return;
      try {
        var value = encodeURIComponent(JSON.stringify({ twclid: click.id, timestamp: Date.now(), source: 'emulator' }));
        d.cookie = '_twclid=' + value + '; path=/; max-age=' + 390 * 86400 + '; samesite=lax';
      } catch (e) {}
    }

    function send(payload) {
      var body = JSON.stringify(payload);
      try {
        // text/plain keeps this a CORS "simple request": no preflight.
        if (w.navigator.sendBeacon && w.navigator.sendBeacon(endpoint, new Blob([body], { type: 'text/plain' }))) return;
      } catch (e) {}
      try {
        w.fetch(endpoint, { method: 'POST', body: body, keepalive: true, mode: 'no-cors', headers: { 'content-type': 'text/plain' } });
      } catch (e) {}
    }

    function handle(command, id, params) {
      try {
        if (typeof id !== 'string' || !id) return;
        var click = clickId();
        remember(click);
        var base = { v: 1, page_url: w.location.href, twclid: click ? click.id : null, twclid_source: click ? click.source : null };
        if (command === 'config') {
          if (pixels.indexOf(id) === -1) pixels.push(id);
          base.type = 'config';
          base.pixel_id = id;
          send(base);
        } else if (command === 'event') {
          var tag = /^tw-([0-9a-z]+)-([0-9a-z]+)$/i.exec(id);
          base.type = 'event';
          base.pixel_id = tag ? tag[1] : pixels[pixels.length - 1] || null;
          base.event_id = id;
          base.params = params && typeof params === 'object' ? params : {};
          send(base);
        }
      } catch (e) {}
    }

    var twq = w.twq;
    if (typeof twq !== 'function') {
      twq = w.twq = function () {
        twq.exe ? twq.exe.apply(twq, arguments) : twq.queue.push(arguments);
      };
      twq.version = '1.1';
      twq.queue = [];
    }
    var queued = twq.queue || [];
    twq.queue = [];
    twq.exe = function () { handle.apply(null, arguments); };
    for (var q = 0; q < queued.length; q++) handle.apply(null, queued[q]);
  } catch (e) {}
})(window, document);
`;
