/**
 * Values the kit refuses instead of storing (a blank or control-character
 * `conversion_id`, an impossible or out-of-window `conversion_time`, an absurd
 * `value`) and page URLs stored without their query string and fragment, in
 * every flow (docs/product.md, "Wire contract" and "Safety (the server)").
 */
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { event, post, SITE, setup, T0, TWCLID } from '../../test/kit-fixtures.ts';
import { ConfigError, ValidationError } from '../errors.ts';
import type { TwclidKitOptions } from './types.ts';

/** The kit's clock for the date checks: 2026-03-05, so a rolled-over 2026-02-31 (March 3) is inside the window. */
const MARCH_5 = Date.UTC(2026, 2, 5, 12);
const SECRET = 'a-random-signing-secret-of-32-chars-or-more';

async function refusal(res: Response) {
  expect(res.status).toBe(400);
  const body = (await res.json()) as { error: { code: string; field: string; message: string } };
  return body.error;
}

describe('the JSON event refuses bad values with a 400 naming the field', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: MARCH_5 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    ['blank', '   '],
    ['NUL', 'order\u00001003'],
    ['U+0007 (bell)', 'order\u00071003'],
    ['DEL', 'order\u007F'],
    ['C1 (U+0085)', 'order\u0085'],
    ['a lone surrogate', 'order-\uD800'],
    ['129 characters', 'x'.repeat(129)],
  ])('conversion_id %s, even signed by the app', async (_name, id) => {
    // Signed, so the route's trust rule (a random UUID or a signed ID) lets it
    // through and the value itself is what is refused.
    const { app, kit, store } = setup({ signingSecret: SECRET });
    const signed = event({ conversion_id: id, conversion_sig: kit.signConversionId(id) });
    const error = await refusal(await post(app, '/tw/events', signed));
    expect(error.field).toBe('conversion_id');
    expect(error.message).toMatch(/blank|control|surrogate|at most 128/);
    expect((await store.stats(Date.now())).pending).toBe(0);
  });

  it('two IDs that differ only in a lone surrogate are not stored as one (U+FFFD)', async () => {
    const { app, kit, store } = setup({ signingSecret: SECRET });
    for (const id of ['order-\uD800', 'order-\uDBFF']) {
      const signed = event({ conversion_id: id, conversion_sig: kit.signConversionId(id) });
      expect((await post(app, '/tw/events', signed)).status).toBe(400);
    }
    expect((await store.stats(Date.now())).pending).toBe(0);
  });

  it.each([
    ['an impossible date (rolled over to March 3 by Date.parse)', '2026-02-31T00:00:00.000Z'],
    ['hour 24', '2026-03-04T24:00:00.000Z'],
    ['1970', '1970-01-01T00:00:00.000Z'],
    ['9999', '9999-12-31T23:59:59.999Z'],
    ['91 days ago', new Date(MARCH_5 - 91 * 86_400_000).toISOString()],
    ['2 hours ahead', new Date(MARCH_5 + 2 * 3_600_000).toISOString()],
  ])('conversion_time: %s', async (_name, time) => {
    const { app, store } = setup();
    const error = await refusal(await post(app, '/tw/events', event({ conversion_time: time })));
    expect(error.field).toBe('conversion_time');
    expect((await store.stats(Date.now())).pending).toBe(0);
  });

  it('accepts a time inside the window, on the kit’s clock', async () => {
    const { app } = setup({ now: () => MARCH_5 });
    const time = new Date(MARCH_5 - 89 * 86_400_000).toISOString();
    expect((await post(app, '/tw/events', event({ conversion_time: time }))).status).toBe(202);
  });

  it.each([
    ['32 digits', '12345678901234567890123456789012'],
    ['over a billion', '1000000000.01'],
    ['18 significant digits', '0.123456789012345678'],
  ])('value: %s', async (_name, value) => {
    const { app, store } = setup();
    const error = await refusal(await post(app, '/tw/events', event({ value })));
    expect(error.field).toBe('value');
    expect((await store.stats(Date.now())).pending).toBe(0);
  });

  it('contents[].content_price has the same range', async () => {
    const { app } = setup();
    const contents = [{ content_id: 'sku-1', content_price: '1'.repeat(20) }];
    const error = await refusal(await post(app, '/tw/events', event({ contents })));
    expect(error.field).toBe('contents[0].content_price');
  });
});

describe('sendConversion() throws a ValidationError naming the field', () => {
  async function send(input: Record<string, unknown>, options: Partial<TwclidKitOptions> = {}) {
    const { kit, store } = setup({ now: () => T0, ...options });
    const app = new Hono();
    let thrown: unknown;
    app.post('/pay', async (c) => {
      try {
        await kit.sendConversion(c, { eventId: 'o87ne', twclid: TWCLID, ...input });
      } catch (error) {
        thrown = error;
      }
      return c.text('ok');
    });
    await app.request(`${SITE}/pay`, { method: 'POST' });
    return { thrown, pending: (await store.stats(T0)).pending };
  }

  it.each([
    [{ conversionId: 'order-1003\u0000' }, 'conversionId', /control/],
    [{ conversionId: 'order-\uDC00' }, 'conversionId', /lone surrogate/],
    [{ conversionTime: '2025-12-31T24:00:00Z' }, 'conversionTime', /time of day/],
    [{ conversionTime: new Date(Date.UTC(1970, 0, 1)) }, 'conversionTime', /90 days/],
    [{ conversionTime: Date.UTC(9999, 0, 1) }, 'conversionTime', /future/],
    [{ value: 1e12 }, 'value', /at most 1000000000/],
  ])('%j', async (input, field, message) => {
    const { thrown, pending } = await send(input);
    expect(thrown).toBeInstanceOf(ValidationError);
    const issues = (thrown as ValidationError).issues;
    expect(issues.map((i) => i.field)).toEqual([field]);
    expect(issues[0]?.message).toMatch(message);
    expect(pending).toBe(0);
  });
});

describe('page URLs are stored and sent without their query string and fragment', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const withPii = `${SITE}/pay?email=a@b.c&utm_source=news&reset_token=x#f`;

  /** The kit, with what it hands its store recorded. */
  function recorded(options: Partial<TwclidKitOptions> = {}) {
    const env = setup(options);
    const enqueue = vi.spyOn(env.store, 'enqueue');
    const storedUrls = () => enqueue.mock.calls.map(([input]) => input.conversion.event_source_url);
    return { ...env, storedUrls };
  }

  async function storedUrl(options: Partial<TwclidKitOptions>, send: (app: Hono) => unknown) {
    const { app, x, storedUrls } = recorded(options);
    await send(app);
    await vi.advanceTimersByTimeAsync(1000);
    return { stored: storedUrls()[0], sent: x.accepted[0]?.event_source_url };
  }

  it('the JSON event’s event_source_url, by default', async () => {
    const urls = await storedUrl({}, (app) =>
      post(app as never, '/tw/events', event({ event_source_url: withPii })),
    );
    expect(urls).toEqual({ stored: `${SITE}/pay`, sent: `${SITE}/pay` });
  });

  it("with eventSourceUrlParams: ['utm_*'], utm_source is kept", async () => {
    const urls = await storedUrl({ eventSourceUrlParams: ['utm_*'] }, (app) =>
      post(app as never, '/tw/events', event({ event_source_url: withPii })),
    );
    expect(urls.stored).toBe(`${SITE}/pay?utm_source=news`);
    expect(urls.sent).toBe(`${SITE}/pay?utm_source=news`);
  });

  it('a form post’s Referer', async () => {
    const { kit, storedUrls } = recorded();
    const site = new Hono();
    site.post('/signup', kit.form({ eventId: 'o87ne' }), (c) => c.text('ok'));
    const res = await site.request(`${SITE}/signup`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: SITE,
        referer: withPii,
      },
      body: new URLSearchParams({ twclid: TWCLID, conversion_id: 'form-1' }).toString(),
    });
    expect(res.status).toBe(200);
    expect(storedUrls()).toEqual([`${SITE}/pay`]);
  });

  it('a form post whose Referer is no http(s) page keeps its conversion, without a URL', async () => {
    const { kit, store } = setup();
    const enqueue = vi.spyOn(store, 'enqueue');
    const site = new Hono();
    site.post('/signup', kit.form({ eventId: 'o87ne' }), (c) => c.text('ok'));
    await site.request(`${SITE}/signup`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: SITE,
        referer: 'android-app://com.example.shop/',
      },
      body: new URLSearchParams({ twclid: TWCLID, conversion_id: 'form-2' }).toString(),
    });
    const conversion = enqueue.mock.calls[0]?.[0].conversion;
    expect(conversion?.conversion_id).toBe('form-2');
    expect(conversion).not.toHaveProperty('event_source_url');
  });

  it.each([[['']], [['*']], [['a*b']], ['utm_*'], [[7]]])(
    'eventSourceUrlParams %j is a ConfigError naming it',
    (params) => {
      expect(() => setup({ eventSourceUrlParams: params as never })).toThrow(ConfigError);
      expect(() => setup({ eventSourceUrlParams: params as never })).toThrow(
        /eventSourceUrlParams/,
      );
    },
  );
});
