import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runInNewContext } from 'node:vm';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { EMULATOR_DEFAULTS as D } from './defaults.ts';
import { sha256Hex } from './hash.ts';
import { PIXEL_SCRIPT } from './pixel-script.ts';
import { startEmulator } from './start.ts';

// X's base code (github.com/xdevplatform/x-pixel-samples), minus the <script> insertion.
const BASE_CODE_STUB = `!function(e,t,n,s){e.twq||(s=e.twq=function(){s.exe?s.exe.apply(s,arguments):s.queue.push(arguments);},s.version='1.1',s.queue=[])}(window,document,'script');`;

interface Beacon {
  url: string;
  body: Record<string, unknown>;
}

function fakePage(
  pageUrl: string,
  cookie = '',
  scriptSrc: string | null = 'http://127.0.0.1:4555/uwt.js',
) {
  const pending: Array<Promise<Beacon>> = [];
  const document = {
    currentScript: scriptSrc ? { src: scriptSrc } : null,
    cookie,
    getElementsByTagName: () => [],
  };
  const window: Record<string, unknown> = {
    location: { href: pageUrl },
    navigator: {
      sendBeacon(url: string, blob: Blob) {
        pending.push(
          blob.text().then((t) => ({ url, body: JSON.parse(t) as Record<string, unknown> })),
        );
        return true;
      },
    },
  };
  window.window = window;
  const context = {
    window,
    document,
    URL,
    Blob,
    JSON,
    Date,
    encodeURIComponent,
    decodeURIComponent,
  };
  const run = (code: string) => runInNewContext(code, context);
  const twq = (...args: unknown[]) => (window.twq as (...a: unknown[]) => void)(...args);
  return { run, twq, window, document, beacons: () => Promise.all(pending) };
}

describe('uwt.js stand-in in a node:vm page', () => {
  it('replays calls queued by the base code in order, then handles calls directly', async () => {
    const page = fakePage('http://127.0.0.1:3000/landing?twclid=clk123');
    page.run(BASE_CODE_STUB);
    page.twq('config', D.pixelId);
    page.twq('event', `tw-${D.pixelId}-o87ne`, { conversion_id: 'c1', email_address: 'a@b.co' });
    expect((page.window.twq as { queue: unknown[] }).queue).toHaveLength(2);
    expect(await page.beacons()).toEqual([]);

    page.run(PIXEL_SCRIPT);
    expect((page.window.twq as { queue: unknown[] }).queue).toHaveLength(0);
    expect(typeof (page.window.twq as { exe?: unknown }).exe).toBe('function');
    page.twq('event', 'o87nf', { conversion_id: 'c2' });

    const beacons = await page.beacons();
    expect(beacons.map((b) => b.url)).toEqual(
      Array(3).fill('http://127.0.0.1:4555/_pixel/collect'),
    );
    expect(beacons.map((b) => b.body)).toEqual([
      {
        v: 1,
        type: 'config',
        pixel_id: D.pixelId,
        page_url: 'http://127.0.0.1:3000/landing?twclid=clk123',
        twclid: 'clk123',
        twclid_source: 'url',
      },
      expect.objectContaining({
        type: 'event',
        pixel_id: D.pixelId,
        event_id: `tw-${D.pixelId}-o87ne`,
        params: { conversion_id: 'c1', email_address: 'a@b.co' },
      }),
      // The short form falls back to the pixel named by config.
      expect.objectContaining({
        type: 'event',
        pixel_id: D.pixelId,
        event_id: 'o87nf',
        params: { conversion_id: 'c2' },
      }),
    ]);
    // Like the real Pixel, it keeps the URL's click in _twclid.
    expect(page.document.cookie).toMatch(/^_twclid=%7B%22twclid%22%3A%22clk123%22/);
  });

  it('reads the click from _twclid (plain or JSON) and then _twclid_kit', async () => {
    const cases: Array<[string, string, string]> = [
      ['_twclid=plain1', 'plain1', 'cookie'],
      [
        `_twclid=${encodeURIComponent(JSON.stringify({ twclid: 'json1', timestamp: 1 }))}`,
        'json1',
        'cookie',
      ],
      ['other=1; _twclid_kit=1.1764300000000.kit.with.dots', 'kit.with.dots', 'kit_cookie'],
      ['', '', ''],
    ];
    for (const [cookie, id, source] of cases) {
      const page = fakePage('http://127.0.0.1:3000/', cookie);
      page.run(PIXEL_SCRIPT);
      page.twq('config', D.pixelId);
      const [beacon] = await page.beacons();
      expect(beacon?.body).toMatchObject({ twclid: id || null, twclid_source: source || null });
    }
  });

  it('works without the base code, ignores unknown commands and never throws into the page', async () => {
    const page = fakePage('http://127.0.0.1:3000/');
    page.run(PIXEL_SCRIPT);
    expect(() => page.twq('track', 'PageView')).not.toThrow();
    expect(() => page.twq('event')).not.toThrow();
    expect(() => page.twq('event', 'o87ne', null)).not.toThrow();
    const beacons = await page.beacons();
    expect(beacons).toHaveLength(1);
    expect(beacons[0]?.body.params).toEqual({});
  });

  it('does nothing when it cannot find its own src', async () => {
    const page = fakePage('http://127.0.0.1:3000/', '', null);
    page.run(BASE_CODE_STUB);
    page.run(PIXEL_SCRIPT);
    page.twq('config', D.pixelId);
    expect(await page.beacons()).toEqual([]);
  });
});

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('uwt.js stand-in in real Chromium', () => {
  it.skipIf(!existsSync(CHROMIUM))(
    'reports queued and direct calls from a page on another origin to the emulator that served it',
    async () => {
      const emulator = await startEmulator({ port: 0 });
      const html = `<!doctype html><html><head><script>
!function(e,t,n,s,u,a){e.twq||(s=e.twq=function(){s.exe?s.exe.apply(s,arguments):s.queue.push(arguments);
},s.version='1.1',s.queue=[],u=t.createElement(n),u.async=!0,u.src='${emulator.url}/uwt.js',
a=t.getElementsByTagName(n)[0],a.parentNode.insertBefore(u,a))}(window,document,'script');
twq('config','${D.pixelId}');
twq('event','tw-${D.pixelId}-o87ne',{conversion_id:'order-42',email_address:' Buyer@Example.com ',value:20,currency:'USD'});
</script></head><body>shop</body></html>`;
      const site: Server = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(html);
      });
      await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
      const sitePort = (site.address() as AddressInfo).port;
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
        ],
      });
      try {
        const page = await browser.newPage();
        await page.goto(`http://127.0.0.1:${sitePort}/landing?twclid=clkchromium`);
        // String expressions: they run in the page, where window exists.
        await page.waitForFunction("typeof window.twq.exe === 'function'");
        await page.evaluate("twq('event', 'o87nf', { conversion_id: 'lead-1' })");
        await expect.poll(() => emulator.state.events().length, { timeout: 5000 }).toBe(3);
        const [view, purchase, lead] = emulator.state.events();
        expect(view).toMatchObject({
          channel: 'pixel',
          type: 'page_view',
          twclid: 'clkchromium',
          twclidSource: 'url',
        });
        expect(purchase).toMatchObject({
          channel: 'pixel',
          type: 'conversion',
          eventKey: 'o87ne',
          conversionId: 'order-42',
          twclid: 'clkchromium',
          hashedEmail: sha256Hex('buyer@example.com'),
          value: '20',
          currency: 'USD',
          dedup: 'counted',
          pageUrl: `http://127.0.0.1:${sitePort}/landing?twclid=clkchromium`,
        });
        expect(purchase?.userAgent).toContain('Chrome');
        expect(lead).toMatchObject({
          eventKey: 'o87nf',
          conversionId: 'lead-1',
          twclid: 'clkchromium',
        });
        const cookies = await page.context().cookies();
        expect(cookies.find((c) => c.name === '_twclid')?.value).toContain('clkchromium');
      } finally {
        await browser.close();
        await emulator.close();
        await new Promise((r) => site.close(r));
      }
    },
    30_000,
  );
});
