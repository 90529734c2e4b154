import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { page as html, startTestSite, type TestSite } from './test-site.ts';

const CLICK = '23opevjt88psuo13lu8d020qkn';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DAY_S = 86_400;
const SCRIPT =
  'data-pixel-id="o8z6j" data-endpoint="/tw/events" data-load-pixel data-pixel-src="/uwt.js"';

let site: TestSite;
let browser: Browser;
let context: BrowserContext;
let tab: Page;
const url = (host: string, path: string) => `http://${host}:${site.port}${path}`;
const kitCookie = async () => (await context.cookies()).find((c) => c.name === '_twclid_kit');
const postsTo = (path: string) => site.posts.filter((p) => p.path === path);
const pixelCalls = () => postsTo('/pixel').map((p) => JSON.parse(p.body) as unknown[]);
const ready = (p: Page) => p.waitForFunction(() => 'twclidKit' in window);

beforeAll(async () => {
  site = await startTestSite();
  site.pages.set('/landing', html(SCRIPT, '<a id="next" href="/next">next</a>'));
  site.pages.set('/next', html(SCRIPT));
  site.pages.set('/short', html(`${SCRIPT} data-cookie-days="7"`));
  site.pages.set('/thanks', '<p>thanks</p>');
  site.pages.set(
    '/nofetch',
    html(SCRIPT).replace('<head>', '<head><script>window.fetch = undefined;</script>'),
  );
  // Chromium resolves these test hosts to the local site; the port comes from the URL.
  browser = await launchChromium([
    '--host-resolver-rules=MAP *.twclid.test 127.0.0.1, MAP *.example.co.uk 127.0.0.1, MAP *.user.github.io 127.0.0.1',
  ]);
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

beforeEach(async () => {
  site.posts.length = 0;
  site.setDelay(0);
  context = await browser.newContext();
  tab = await context.newPage();
});

afterEach(async () => {
  // The script must never throw into the page (pages without the recorder report none).
  const errors = await tab.evaluate(() => (window as { pageErrors?: string[] }).pageErrors ?? []);
  expect(errors).toEqual([]);
  await context.close();
});

describe('click cookie in Chromium', () => {
  it('sets _twclid_kit for the registrable domain with Lax, path / and a 90-day lifetime', async () => {
    const before = Date.now() / 1000;
    await tab.goto(url('shop.example.twclid.test', `/landing?twclid=${CLICK}`));
    await ready(tab);
    const cookie = await kitCookie();
    expect(cookie).toMatchObject({
      domain: '.twclid.test',
      path: '/',
      sameSite: 'Lax',
      secure: false,
      httpOnly: false,
    });
    expect(cookie?.value).toMatch(new RegExp(`^1\\.\\d{13}\\.${CLICK}$`));
    expect(cookie?.expires).toBeGreaterThan(before + 90 * DAY_S - 60);
    expect(cookie?.expires).toBeLessThan(Date.now() / 1000 + 90 * DAY_S + 60);
    // Only the kit's cookie: no probe left behind, and the Pixel's _twclid never written.
    expect((await context.cookies()).map((c) => c.name)).toEqual(['_twclid_kit']);
    expect(await tab.evaluate(() => localStorage.getItem('_twclid_kit'))).toBe(cookie?.value);
  });

  it('replaces a host-only _twclid_kit (set by a server without cookie.domain): one cookie remains', async () => {
    await context.addCookies([
      {
        name: '_twclid_kit',
        value: '1.1700000000000.olderclick',
        url: url('shop.example.twclid.test', '/'),
      },
    ]);
    expect((await kitCookie())?.domain).toBe('shop.example.twclid.test');
    await tab.goto(url('shop.example.twclid.test', `/landing?twclid=${CLICK}`));
    await ready(tab);
    const copies = (await context.cookies()).filter((c) => c.name === '_twclid_kit');
    expect(copies).toHaveLength(1);
    expect(copies[0]?.domain).toBe('.twclid.test');
    expect(copies[0]?.value).toMatch(new RegExp(`\\.${CLICK}$`));
  });

  it('shares the click with every subdomain', async () => {
    await tab.goto(url('shop.example.twclid.test', `/landing?twclid=${CLICK}`));
    await ready(tab);
    await tab.goto(url('checkout.twclid.test', '/next'));
    await ready(tab);
    const click = await tab.evaluate(() =>
      (window as { twclidKit?: { getClick(): unknown } }).twclidKit?.getClick(),
    );
    expect(click).toMatchObject({ twclid: CLICK });
  });

  it('never sets the cookie on a public suffix (co.uk) nor on a private one (github.io)', async () => {
    await tab.goto(url('shop.example.co.uk', `/landing?twclid=${CLICK}`));
    await ready(tab);
    expect((await kitCookie())?.domain).toBe('.example.co.uk');
    await tab.goto(url('blog.user.github.io', `/landing?twclid=${CLICK}`));
    await ready(tab);
    const domains = (await context.cookies())
      .filter((c) => c.name === '_twclid_kit')
      .map((c) => c.domain);
    expect(domains.sort()).toEqual(['.example.co.uk', '.user.github.io']);
  });

  it('uses a host-only cookie on an IP address and honours data-cookie-days', async () => {
    await tab.goto(url('127.0.0.1', `/short?twclid=${CLICK}`));
    await ready(tab);
    const cookie = await kitCookie();
    expect(cookie?.domain).toBe('127.0.0.1');
    expect(cookie?.expires).toBeLessThan(Date.now() / 1000 + 7 * DAY_S + 60);
    expect(cookie?.expires).toBeGreaterThan(Date.now() / 1000 + 7 * DAY_S - 60);
  });

  it('captures a new click on pushState, calls the capture endpoint, and configs the Pixel again', async () => {
    await tab.goto(url('shop.example.twclid.test', `/landing?twclid=${CLICK}`));
    await ready(tab);
    await tab.evaluate(() => history.pushState(null, '', '/landing?twclid=secondclick'));
    expect((await kitCookie())?.value).toMatch(/\.secondclick$/);
    await vi.waitFor(() => expect(postsTo('/tw/capture')).toHaveLength(2));
    // Each capture names the domain the script wrote its cookie on, for the server's Set-Cookie.
    expect(postsTo('/tw/capture').map((p) => JSON.parse(p.body))).toEqual([
      { twclid: CLICK, domain: 'twclid.test' },
      { twclid: 'secondclick', domain: 'twclid.test' },
    ]);
    await vi.waitFor(() =>
      expect(pixelCalls().filter((c) => c[0] === 'config')).toEqual([
        ['config', 'o8z6j'],
        ['config', 'o8z6j'],
      ]),
    );
  });
});

describe('forms in Chromium', () => {
  it('decorates a form added after load and posts the same conversion_id the Pixel got', async () => {
    await tab.goto(url('shop.example.twclid.test', `/landing?twclid=${CLICK}`));
    await ready(tab);
    await tab.evaluate(() => {
      setTimeout(() => {
        document.body.insertAdjacentHTML(
          'beforeend',
          `<form id="lead" method="post" action="/thanks" data-tw-event="o87ne">
             <input type="email" name="email" value="jane@example.com">
             <input type="tel" name="phone" value="+1 123 456 7890">
             <button>Send</button></form>`,
        );
      }, 50);
    });
    await tab.waitForSelector('#lead input[name=conversion_id]', { state: 'attached' });
    await Promise.all([tab.waitForURL('**/thanks'), tab.click('#lead button')]);

    const form = new URLSearchParams(postsTo('/thanks')[0]?.body);
    expect(form.get('twclid')).toBe(CLICK);
    // Plain http: no crypto.randomUUID, so this is the getRandomValues fallback.
    expect(form.get('conversion_id')).toMatch(UUID_V4);
    expect(form.get('email')).toBe('jane@example.com');
    await vi.waitFor(() =>
      expect(pixelCalls().filter((c) => c[0] === 'event')).toEqual([
        [
          'event',
          'tw-o8z6j-o87ne',
          {
            conversion_id: form.get('conversion_id'),
            email_address: 'jane@example.com',
            phone_number: '+1 123 456 7890',
          },
        ],
      ]),
    );
  });
});

describe('track() in Chromium', () => {
  it('reaches the server although the page navigates away at once', async () => {
    site.setDelay(300); // the response arrives long after the page is gone
    await tab.goto(url('shop.example.twclid.test', `/landing?twclid=${CLICK}`));
    await ready(tab);
    await tab.evaluate(() => {
      document.getElementById('next')?.addEventListener('click', () => {
        const kit = (window as { twclidKit?: { track(id: string, p: object): string } }).twclidKit;
        sessionStorage.setItem('id', kit?.track('o87ne', { value: 20, currency: 'USD' }) ?? '');
      });
    });
    await Promise.all([tab.waitForURL('**/next'), tab.click('#next')]);
    const id = await tab.evaluate(() => sessionStorage.getItem('id'));
    // Completed: the request outlived the page (a plain fetch is cancelled on unload).
    await vi.waitFor(() =>
      expect(postsTo('/tw/events').filter((p) => p.completed)).toHaveLength(1),
    );
    const [event] = postsTo('/tw/events');
    expect(event?.contentType).toBe('application/json');
    expect(JSON.parse(event?.body ?? '')).toMatchObject({
      event_id: 'tw-o8z6j-o87ne',
      conversion_id: id,
      twclid: CLICK,
      value: 20,
      currency: 'USD',
      event_source_url: url('shop.example.twclid.test', `/landing?twclid=${CLICK}`),
    });
    await vi.waitFor(() =>
      expect(pixelCalls().filter((c) => c[0] === 'event')).toEqual([
        ['event', 'tw-o8z6j-o87ne', { value: 20, currency: 'USD', conversion_id: id }],
      ]),
    );
  });

  it('reaches the server when called from pagehide as the tab closes', async () => {
    site.setDelay(300);
    await tab.goto(url('shop.example.twclid.test', `/landing?twclid=${CLICK}`));
    await ready(tab);
    await tab.evaluate(() => {
      addEventListener('pagehide', () => {
        (window as { twclidKit?: { track(id: string, p: object): string } }).twclidKit?.track(
          'o87ne',
          {
            value: 1,
          },
        );
      });
    });
    await tab.close({ runBeforeUnload: true });
    await vi.waitFor(
      () => expect(postsTo('/tw/events').filter((p) => p.completed)).toHaveLength(1),
      {
        timeout: 5000,
      },
    );
    expect(JSON.parse(postsTo('/tw/events')[0]?.body ?? '')).toMatchObject({
      event_id: 'tw-o8z6j-o87ne',
      value: 1,
    });
    tab = await context.newPage(); // for the afterEach check
  });

  it('falls back to sendBeacon with a text/plain body when fetch is missing', async () => {
    await tab.goto(url('shop.example.twclid.test', `/nofetch?twclid=${CLICK}`));
    await ready(tab);
    const id = await tab.evaluate(() =>
      (window as { twclidKit?: { track(id: string): string } }).twclidKit?.track('o87ne'),
    );
    await vi.waitFor(() => expect(postsTo('/tw/events')).toHaveLength(1));
    const [event] = postsTo('/tw/events');
    expect(event?.contentType).toBe('text/plain;charset=UTF-8');
    expect(JSON.parse(event?.body ?? '')).toMatchObject({ conversion_id: id, twclid: CLICK });
  });
});
