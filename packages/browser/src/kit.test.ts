import Cookies from 'js-cookie';
import { describe, expect, it, vi } from 'vitest';
import { CLICK_COOKIE, decodeClick, PIXEL_COOKIE } from './contract.ts';
import { captureUrl, init } from './kit.ts';
import { posted, twqCalls, useFreshPage } from './test/fresh-page.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CLICK = '23opevjt88psuo13lu8d020qkn';
const mocks = useFreshPage();
const land = (search: string) => window.history.replaceState(null, '', `/landing${search}`);

describe('capture', () => {
  it('stores the URL twclid in the kit cookie and the mirror, with the click time', () => {
    vi.useFakeTimers({ now: 1_700_000_000_000, toFake: ['Date'] });
    land(`?twclid=${CLICK}&utm_source=x`);
    const kit = init({});
    const stored = { twclid: CLICK, clickedAt: 1_700_000_000_000 };
    expect(decodeClick(Cookies.get(CLICK_COOKIE))).toEqual(stored);
    expect(decodeClick(localStorage.getItem(CLICK_COOKIE))).toEqual(stored);
    expect(kit.getClick()).toEqual(stored);
  });

  it('never writes the Pixel cookie _twclid', () => {
    land(`?twclid=${CLICK}`);
    init({});
    expect(Cookies.get(PIXEL_COOKIE)).toBeUndefined();
  });

  it('ignores a malformed twclid and keeps the stored click', () => {
    land(`?twclid=${CLICK}`);
    init({});
    window.history.pushState(null, '', '/x?twclid=%3Cscript%3E');
    expect(decodeClick(Cookies.get(CLICK_COOKIE))?.twclid).toBe(CLICK);
  });

  it('last click wins, also across single-page-app navigations', () => {
    land('?twclid=first');
    const kit = init({});
    window.history.pushState(null, '', '/next?twclid=second');
    expect(kit.getClick()?.twclid).toBe('second');
    window.history.replaceState(null, '', '/next?twclid=third');
    expect(kit.getClick()?.twclid).toBe('third');
    // popstate: the browser changed the URL itself, then fired the event.
    Object.getPrototypeOf(window.history).replaceState.call(
      window.history,
      null,
      '',
      '/?twclid=fourth',
    );
    window.dispatchEvent(new PopStateEvent('popstate'));
    expect(kit.getClick()?.twclid).toBe('fourth');
  });

  it('calls the capture endpoint once per new click, derived from the endpoint', () => {
    land(`?twclid=${CLICK}`);
    init({ endpoint: '/tw/events' });
    window.history.pushState(null, '', `/other?twclid=${CLICK}`); // same click: no new capture
    expect(posted(mocks.fetch)).toEqual([
      {
        url: '/tw/capture',
        init: expect.objectContaining({ method: 'POST', keepalive: true }),
        // localhost: a host-only cookie, so no domain for the server either.
        body: { twclid: CLICK },
      },
    ]);
    window.history.pushState(null, '', '/other?twclid=newer');
    expect(posted(mocks.fetch).map((p) => p.body)).toEqual([
      { twclid: CLICK },
      { twclid: 'newer' },
    ]);
  });

  it('writes the mirror when the server already set the cookie for this click, without a capture call', () => {
    // The landing middleware answered the page request with Set-Cookie for this very click.
    const server = `1.${Date.now() - 1000}.${CLICK}`;
    Cookies.set(CLICK_COOKIE, server, { path: '/' });
    land(`?twclid=${CLICK}`);
    init({ endpoint: '/tw/events' });
    expect(localStorage.getItem(CLICK_COOKIE)).toBe(server);
    expect(mocks.fetch).not.toHaveBeenCalled();
  });

  it('replaces an older mirror with the cookie, and keeps one that is as new', () => {
    const now = Date.now();
    Cookies.set(CLICK_COOKIE, `1.${now}.${CLICK}`, { path: '/' });
    localStorage.setItem(CLICK_COOKIE, `1.${now - 5000}.olderclick`);
    land(`?twclid=${CLICK}`);
    const kit = init({ endpoint: '/tw/events' });
    expect(localStorage.getItem(CLICK_COOKIE)).toBe(`1.${now}.${CLICK}`);
    const set = vi.spyOn(localStorage, 'setItem');
    expect(kit.getClick()?.twclid).toBe(CLICK);
    expect(set).not.toHaveBeenCalled();
    set.mockRestore();
    expect(mocks.fetch).not.toHaveBeenCalled();
  });

  it('honours captureEndpoint (data-capture-endpoint)', () => {
    land(`?twclid=${CLICK}`);
    init({ endpoint: '/tw/events', captureEndpoint: '/api/click' });
    expect(posted(mocks.fetch).map((p) => p.url)).toEqual(['/api/click']);
  });

  it.each([[{ endpoint: '/tw/events', capture: false }], [{}]])(
    'makes no capture call with %j',
    (options) => {
      land(`?twclid=${CLICK}`);
      init(options);
      expect(mocks.fetch).not.toHaveBeenCalled();
    },
  );

  it('derives the capture URL from the endpoint base', () => {
    expect(captureUrl('/tw/events')).toBe('/tw/capture');
    expect(captureUrl('https://api.example.com/tw/events/')).toBe(
      'https://api.example.com/tw/capture',
    );
    expect(captureUrl('/tw')).toBe('/tw/capture');
  });

  it('uses the configured lifetime for the cookie expiry', () => {
    vi.useFakeTimers({ now: 1_700_000_000_000, toFake: ['Date'] });
    const set = vi.spyOn(Cookies, 'set');
    land(`?twclid=${CLICK}`);
    init({ cookieDays: 7 });
    const attributes = set.mock.calls.find(([name]) => name === CLICK_COOKIE)?.[2];
    expect(attributes).toMatchObject({ path: '/', sameSite: 'Lax', secure: false });
    expect(attributes?.expires).toEqual(new Date(1_700_000_000_000 + 7 * 864e5));
    set.mockRestore();
  });
});

describe('storage precedence', () => {
  it('reads the kit cookie before the mirror before the Pixel cookie', () => {
    Cookies.set(PIXEL_COOKIE, 'frompixel');
    const kit = init({});
    expect(kit.getClick()).toEqual({ twclid: 'frompixel', clickedAt: 0 });
    localStorage.setItem(CLICK_COOKIE, `1.${Date.now()}.frommirror`);
    expect(kit.getClick()?.twclid).toBe('frommirror');
    Cookies.set(CLICK_COOKIE, `1.${Date.now()}.fromcookie`);
    expect(kit.getClick()?.twclid).toBe('fromcookie');
  });

  it('reads the Pixel cookie in its JSON form', () => {
    Cookies.set(
      PIXEL_COOKIE,
      JSON.stringify({ twclid: CLICK, timestamp: 1700000000000, source: 1 }),
    );
    expect(init({}).getClick()).toEqual({ twclid: CLICK, clickedAt: 1700000000000 });
  });

  it.each(['{"twclid":"a b"}', '{"other":1}', '{not json', 'a b'])(
    'ignores a bad Pixel cookie %j',
    (value) => {
      Cookies.set(PIXEL_COOKIE, value);
      expect(init({}).getClick()).toBeUndefined();
    },
  );

  it('restores the cookie from the mirror (Safari deletes script cookies after 24 h)', () => {
    localStorage.setItem(CLICK_COOKIE, `1.${Date.now()}.${CLICK}`);
    expect(init({}).getClick()?.twclid).toBe(CLICK);
    expect(decodeClick(Cookies.get(CLICK_COOKIE))?.twclid).toBe(CLICK);
  });

  it('ignores a mirror older than the lifetime', () => {
    localStorage.setItem(CLICK_COOKIE, `1.${Date.now() - 31 * 864e5}.${CLICK}`);
    expect(init({ cookieDays: 30 }).getClick()).toBeUndefined();
  });

  it('keeps working when localStorage throws', () => {
    vi.spyOn(Storage.prototype, 'setItem').mockImplementation(() => {
      throw new DOMException('denied', 'SecurityError');
    });
    land(`?twclid=${CLICK}`);
    expect(init({}).getClick()?.twclid).toBe(CLICK);
    vi.restoreAllMocks();
  });
});

describe('consent and GPC', () => {
  it("consent: 'required' stores and sends nothing until grantConsent()", () => {
    land(`?twclid=${CLICK}`);
    const kit = init({
      consent: 'required',
      endpoint: '/tw/events',
      pixelId: 'o8z6j',
      loadPixel: true,
    });
    window.history.pushState(null, '', '/elsewhere');
    kit.track('o87ne');
    expect(Cookies.get(CLICK_COOKIE)).toBeUndefined();
    expect(localStorage.length).toBe(0);
    expect(mocks.fetch).not.toHaveBeenCalled();
    expect(document.querySelector('script')).toBeNull();
    expect(kit.getClick()).toBeUndefined();

    kit.grantConsent();
    // The landing click survives the navigation that happened before consent.
    expect(kit.getClick()?.twclid).toBe(CLICK);
    expect(posted(mocks.fetch).map((p) => p.url)).toEqual(['/tw/capture']);
    expect(document.querySelector('script')?.src).toBe('https://static.ads-twitter.com/uwt.js');
  });

  it('revokeConsent() deletes the cookie and the mirror and stops sending', () => {
    land(`?twclid=${CLICK}`);
    const kit = init({ endpoint: '/tw/events' });
    mocks.fetch.mockClear();
    kit.revokeConsent();
    expect(Cookies.get(CLICK_COOKIE)).toBeUndefined();
    expect(localStorage.getItem(CLICK_COOKIE)).toBeNull();
    kit.track('o87ne');
    expect(mocks.fetch).not.toHaveBeenCalled();
    expect(twqCalls()).toEqual([]);
  });

  it('under Global Privacy Control stores nothing and sends nothing, even after grantConsent()', () => {
    Object.defineProperty(navigator, 'globalPrivacyControl', { value: true, configurable: true });
    land(`?twclid=${CLICK}`);
    document.body.innerHTML =
      '<form data-tw-event="o87ne"><input type="email" value="a@b.c"></form>';
    const kit = init({ endpoint: '/tw/events', pixelId: 'o8z6j', loadPixel: true });
    kit.grantConsent();
    const id = kit.track('o87ne', { email: 'a@b.c' });
    document
      .querySelector('form')
      ?.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    expect(id).toMatch(UUID_V4);
    expect(document.cookie).toBe('');
    expect(localStorage.length).toBe(0);
    expect(mocks.fetch).not.toHaveBeenCalled();
    expect(mocks.beacon).not.toHaveBeenCalled();
    expect((window as { twq?: unknown }).twq).toBeUndefined();
    expect((document.querySelector('input[name=twclid]') as HTMLInputElement).value).toBe('');
  });
});

describe('track()', () => {
  it('fires the Pixel event and posts the same event, with one conversion_id', () => {
    vi.useFakeTimers({ now: 1_700_000_000_000, toFake: ['Date'] });
    land(`?twclid=${CLICK}`);
    const kit = init({ pixelId: 'o8z6j', endpoint: '/tw/events', capture: false });
    const id = kit.track('o87ne', {
      value: 20,
      currency: 'USD',
      email: 'Jane@Example.com',
      phone: '+1 123 456 7890',
      contents: [{ content_id: 'sku-1', num_items: 1 }],
    });
    expect(id).toMatch(UUID_V4);
    expect(twqCalls()).toEqual([
      [
        'event',
        'tw-o8z6j-o87ne',
        {
          value: 20,
          currency: 'USD',
          contents: [{ content_id: 'sku-1', num_items: 1 }],
          conversion_id: id,
          email_address: 'Jane@Example.com',
          phone_number: '+1 123 456 7890',
        },
      ],
    ]);
    const [call] = posted(mocks.fetch);
    expect(call?.url).toBe('/tw/events');
    expect(call?.init).toMatchObject({
      method: 'POST',
      keepalive: true,
      headers: { 'content-type': 'application/json' },
    });
    expect(call?.body).toEqual({
      event_id: 'tw-o8z6j-o87ne',
      conversion_id: id,
      twclid: CLICK,
      email: 'Jane@Example.com',
      phone: '+1 123 456 7890',
      value: 20,
      currency: 'USD',
      contents: [{ content_id: 'sku-1', num_items: 1 }],
      event_source_url: `http://localhost:3000/landing?twclid=${CLICK}`,
      conversion_time: '2023-11-14T22:13:20.000Z',
    });
  });

  it('accepts the full event tag, the Pixel parameter names and a caller conversion_id', () => {
    const kit = init({ pixelId: 'o8z6j', endpoint: '/tw/events' });
    const id = kit.track('tw-o8z6j-o87ne', {
      email_address: 'a@b.c',
      phone_number: '+1',
      conversion_id: 'order-42',
    });
    expect(id).toBe('order-42');
    expect(twqCalls()).toEqual([
      [
        'event',
        'tw-o8z6j-o87ne',
        { conversion_id: 'order-42', email_address: 'a@b.c', phone_number: '+1' },
      ],
    ]);
    expect(posted(mocks.fetch)[0]?.body).toMatchObject({
      event_id: 'tw-o8z6j-o87ne',
      email: 'a@b.c',
      phone: '+1',
    });
  });

  it("passes an own ID's conversion_sig to the endpoint only, never to the Pixel", () => {
    const kit = init({ pixelId: 'o8z6j', endpoint: '/tw/events' });
    kit.track('o87ne', { conversion_id: 'order-42', conversion_sig: 'c2lnbmF0dXJl', value: 5 });
    expect(twqCalls()).toEqual([
      ['event', 'tw-o8z6j-o87ne', { conversion_id: 'order-42', value: 5 }],
    ]);
    expect(posted(mocks.fetch)[0]?.body).toMatchObject({
      conversion_id: 'order-42',
      conversion_sig: 'c2lnbmF0dXJl',
    });
  });

  it('mints a new conversion_id per conversion', () => {
    const kit = init({});
    const ids = new Set(Array.from({ length: 50 }, () => kit.track('o87ne')));
    expect(ids.size).toBe(50);
  });

  it('uses the existing twq (uwt.js loaded) instead of the stub', () => {
    const twq = vi.fn();
    (window as { twq?: unknown }).twq = twq;
    init({ pixelId: 'o8z6j' }).track('o87ne');
    expect(twq).toHaveBeenCalledWith('event', 'tw-o8z6j-o87ne', {
      conversion_id: expect.stringMatching(UUID_V4),
    });
  });

  it('falls back to sendBeacon (text/plain) when fetch fails or is missing', async () => {
    mocks.fetch.mockRejectedValue(new TypeError('Failed to fetch'));
    const kit = init({ endpoint: '/tw/events' });
    const id = kit.track('o87ne');
    await vi.waitFor(() => expect(mocks.beacon).toHaveBeenCalledTimes(1));
    const [url, body] = mocks.beacon.mock.calls[0] as [string, string];
    expect(url).toBe('/tw/events');
    expect(typeof body).toBe('string'); // a string body is sent as text/plain: no CORS preflight
    expect(JSON.parse(body)).toMatchObject({ event_id: 'o87ne', conversion_id: id });

    vi.stubGlobal('fetch', undefined);
    kit.track('o87ne');
    expect(mocks.beacon).toHaveBeenCalledTimes(2);
  });

  it('never throws into the page, even when twq throws, and still returns the id', () => {
    (window as { twq?: unknown }).twq = () => {
      throw new Error('broken pixel');
    };
    const kit = init({ endpoint: '/tw/events' });
    expect(kit.track('o87ne')).toMatch(UUID_V4);
  });
});

describe('Pixel loading', () => {
  it('injects the base code with the configured uwt.js and configs on SPA navigation', () => {
    const kit = init({
      pixelId: 'o8z6j',
      loadPixel: true,
      pixelSrc: 'http://127.0.0.1:4000/uwt.js',
    });
    expect([...document.querySelectorAll('script')].map((s) => s.src)).toEqual([
      'http://127.0.0.1:4000/uwt.js',
    ]);
    window.history.pushState(null, '', '/product');
    window.history.replaceState(null, '', '/product'); // same page: no extra page view
    kit.track('o87ne');
    expect(twqCalls().map((c) => c.slice(0, 2))).toEqual([
      ['config', 'o8z6j'],
      ['config', 'o8z6j'],
      ['event', 'tw-o8z6j-o87ne'],
    ]);
    expect(document.querySelectorAll('script')).toHaveLength(1);
  });

  it('does not inject the Pixel unless asked', () => {
    init({ pixelId: 'o8z6j' });
    expect(document.querySelector('script')).toBeNull();
    expect((window as { twq?: unknown }).twq).toBeUndefined();
  });
});
