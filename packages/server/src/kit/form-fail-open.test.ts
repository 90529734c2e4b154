/**
 * `kit.form()` fails open (issue #12, item 4; docs/product.md, "Safety (the
 * server)"): whatever goes wrong on the kit's side, the app's handler runs and
 * reads the body as if the kit were not there; the kit skips the conversion,
 * counts why in `kit.stats()` and logs it without flooding. Before, behind a
 * proxy the 61st checkout in a minute got the kit's 429, a form over 16 KB or
 * a file upload got 413, and multipart without a boundary got 400.
 */
import { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SITE, setup, T0, TWCLID } from '../../test/kit-fixtures.ts';
import type { FormOptions, TwclidEnv, TwclidKitOptions } from '../kit.ts';
import { memoryOutbox } from '../outbox-memory.ts';

const formHeaders = {
  'content-type': 'application/x-www-form-urlencoded',
  origin: SITE,
  'user-agent': 'UA/1',
};
const urlencoded = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** A shop whose `/checkout` handler records what it read, behind `kit.form()`. */
function shop(
  overrides: Partial<TwclidKitOptions> = {},
  form: Partial<FormOptions> = {},
  read: 'parseBody' | 'text' = 'parseBody',
) {
  const env = setup(overrides);
  const handled: { body: unknown; conversion: unknown }[] = [];
  const site = new Hono<TwclidEnv>();
  site.post('/checkout', env.kit.form({ eventId: 'o87ne', ...form }), async (c) => {
    const body = read === 'text' ? await c.req.text() : await c.req.parseBody();
    handled.push({ body, conversion: c.get('conversion') });
    return c.redirect('/thank-you', 303);
  });
  const checkout = (init: RequestInit) =>
    site.request(`${SITE}/checkout`, { method: 'POST', ...init });
  const skips = async () => {
    const stats = await env.kit.stats();
    return { total: stats.counters.formSkipped, byReason: stats.formSkippedByReason };
  };
  const skipLines = () => env.logger.lines.filter((l) => l.message === 'form.skipped');
  return { ...env, site, handled, checkout, skips, skipLines };
}

/** A body streamed in chunks, so the request carries no Content-Length. */
function stream(bytes: Uint8Array, chunkSize = 1024): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (let at = 0; at < bytes.length; at += chunkSize) {
        controller.enqueue(bytes.slice(at, at + chunkSize));
      }
      controller.close();
    },
  });
}

describe('kit.form() fails open', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('1,000 checkouts in a minute from one address (a proxy) all reach the handler and are all queued', async () => {
    const { checkout, handled, kit, skips } = shop();
    for (let i = 0; i < 1000; i++) {
      const res = await checkout({
        headers: formHeaders,
        body: urlencoded({ conversion_id: `order-${i}`, email: 'test@twitter.com' }),
      });
      expect(res.status).toBe(303);
    }
    expect(handled).toHaveLength(1000);
    expect(handled[999]?.body).toEqual({ conversion_id: 'order-999', email: 'test@twitter.com' });
    expect(handled[999]?.conversion).toMatchObject({ status: 'queued' });
    expect((await kit.stats()).counters.accepted).toBe(1000);
    expect(await skips()).toEqual({ total: 0, byReason: {} });
  }, 30_000); // 1,000 real requests through Hono, on a shared machine

  it("with the form's ipRateLimit on, posts over the limit still reach the handler, without a conversion", async () => {
    const { checkout, handled, kit, skips, skipLines } = shop({}, { ipRateLimit: true });
    for (let i = 0; i < 100; i++) {
      const res = await checkout({
        headers: formHeaders,
        body: urlencoded({ n: String(i), email: 'test@twitter.com' }),
      });
      expect(res.status).toBe(303);
      expect(res.headers.get('retry-after')).toBeNull();
    }
    expect(handled).toHaveLength(100);
    expect(handled[99]).toEqual({
      body: { n: '99', email: 'test@twitter.com' },
      conversion: { status: 'skipped', reason: 'rate_limited' },
    });
    expect((await kit.stats()).counters.accepted).toBe(60); // IP_RATE_LIMIT_DEFAULT
    expect(await skips()).toEqual({ total: 40, byReason: { rate_limited: 40 } });
    expect(skipLines()).toHaveLength(1); // one line a minute per reason, not 40
  });

  it('a 100 KB multipart upload reaches the handler whole; the conversion is skipped as too large', async () => {
    const { checkout, handled, store, skips } = shop();
    const form = new FormData();
    form.set('conversion_id', 'upload-1');
    form.set('email', 'test@twitter.com');
    form.set('cv', new File([new Uint8Array(100 * 1024).fill(65)], 'cv.pdf'));
    const res = await checkout({ headers: { origin: SITE }, body: form });
    expect(res.status).toBe(303);
    const body = handled[0]?.body as Record<string, unknown>;
    expect(body.conversion_id).toBe('upload-1');
    expect((body.cv as File).size).toBe(100 * 1024);
    expect(handled[0]?.conversion).toEqual({ status: 'skipped', reason: 'body_too_large' });
    expect((await store.stats(Date.now())).pending).toBe(0);
    expect(await skips()).toEqual({ total: 1, byReason: { body_too_large: 1 } });
  });

  it('a 20 KB urlencoded form reaches the handler whole, with or without Content-Length', async () => {
    const fields = { conversion_id: 'big-1', email: 'test@twitter.com', note: 'x'.repeat(20_000) };
    const text = urlencoded(fields);
    const bytes = new TextEncoder().encode(text);
    const { checkout, handled, skips } = shop();
    await checkout({
      headers: { ...formHeaders, 'content-length': String(bytes.length) },
      body: text,
    });
    await checkout({ headers: formHeaders, body: stream(bytes), duplex: 'half' } as RequestInit);
    expect(handled.map((h) => h.body)).toEqual([fields, fields]);
    expect(handled.map((h) => h.conversion)).toEqual([
      { status: 'skipped', reason: 'body_too_large' },
      { status: 'skipped', reason: 'body_too_large' },
    ]);
    expect(await skips()).toEqual({ total: 2, byReason: { body_too_large: 2 } });
  });

  it('a malformed multipart body, or one without a boundary, reaches the handler as sent', async () => {
    const { checkout, handled, skips } = shop({}, {}, 'text');
    const bodies = [
      [
        'multipart/form-data; boundary=xyz',
        '--xyz\r\nContent-Disposition: form-data; name="a"\r\n',
      ],
      ['multipart/form-data', 'conversion_id=no-boundary&email=test@twitter.com'],
    ];
    for (const [type, body] of bodies) {
      const res = await checkout({
        headers: { ...formHeaders, 'content-type': String(type) },
        body,
      });
      expect(res.status, type).toBe(303);
    }
    expect(handled).toEqual(
      bodies.map(([, body]) => ({
        body,
        conversion: { status: 'skipped', reason: 'malformed_body' },
      })),
    );
    expect(await skips()).toEqual({ total: 2, byReason: { malformed_body: 2 } });
  });

  it('a store whose enqueue throws: the handler reads its fields, /health reports the store', async () => {
    const store = memoryOutbox();
    store.enqueue = async () => {
      throw new Error('disk I/O error');
    };
    const { checkout, handled, skips, app, logger } = shop({ store, healthDetails: true });
    for (const id of ['s-1', 's-2']) {
      const res = await checkout({
        headers: formHeaders,
        body: urlencoded({ conversion_id: id, twclid: TWCLID }),
      });
      expect(res.status).toBe(303);
    }
    expect(handled).toEqual(
      ['s-1', 's-2'].map((id) => ({
        body: { conversion_id: id, twclid: TWCLID },
        conversion: { status: 'skipped', reason: 'store_unavailable' },
      })),
    );
    expect(await skips()).toEqual({ total: 2, byReason: { store_unavailable: 2 } });
    const health = await app.request(`${SITE}/tw/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'unavailable', canStore: false });
    expect(logger.text()).not.toContain(TWCLID);
  });

  it('a cross-site post is not converted but is not refused by the kit; the app puts csrf() in front to refuse it', async () => {
    const { checkout, handled, skips, kit } = shop();
    const res = await checkout({
      headers: { ...formHeaders, origin: 'https://evil.example' },
      body: urlencoded({ conversion_id: 'x-1' }),
    });
    expect(res.status).toBe(303);
    expect(handled[0]?.conversion).toEqual({ status: 'skipped', reason: 'cross_site' });
    expect(await skips()).toEqual({ total: 1, byReason: { cross_site: 1 } });

    const guarded = new Hono<TwclidEnv>();
    let reached = false;
    guarded.post('/checkout', csrf(), kit.form({ eventId: 'o87ne' }), (c) => {
      reached = true;
      return c.text('ok');
    });
    const refused = await guarded.request(`${SITE}/checkout`, {
      method: 'POST',
      headers: { ...formHeaders, origin: 'https://evil.example' },
      body: urlencoded({ conversion_id: 'x-2' }),
    });
    expect(refused.status).toBe(403);
    expect(reached).toBe(false);
  });

  it('during shutdown, an event map() names outside the kit, and a map() that throws: the post goes on', async () => {
    let mapped: Record<string, unknown> = {};
    const { checkout, handled, kit, skips, logger } = shop(
      {},
      {
        map: (body) => {
          if (body.fail) throw new Error(`cannot map ${String(body.email)}`);
          return mapped;
        },
      },
    );
    const post = (fields: Record<string, string>) =>
      checkout({ headers: formHeaders, body: urlencoded(fields) });
    mapped = { eventId: 'zzzzz' };
    await post({ conversion_id: 'e-1' });
    mapped = {};
    await post({ conversion_id: 'e-2', fail: '1', email: 'secret@example.com' });
    await kit.shutdown({ timeoutMs: 10 });
    await post({ conversion_id: 'e-3' });
    expect(handled.map((h) => h.conversion)).toEqual([
      { status: 'skipped', reason: 'event_not_allowed' },
      { status: 'skipped', reason: 'error' },
      { status: 'skipped', reason: 'stopping' },
    ]);
    expect(handled[2]?.body).toEqual({ conversion_id: 'e-3' });
    expect(await skips()).toMatchObject({
      total: 3,
      byReason: { event_not_allowed: 1, error: 1, stopping: 1 },
    });
    expect(logger.text()).not.toContain('secret@example.com');
  });

  it('logs one warn line per reason a minute, naming the reason and the event, with what it left out', async () => {
    const { checkout, skipLines } = shop({ bodyLimit: 1024 }, {}, 'text');
    const big = urlencoded({ email: 'test@twitter.com', note: 'x'.repeat(2048) });
    const post = () => checkout({ headers: formHeaders, body: big });
    for (let i = 0; i < 50; i++) await post();
    await checkout({
      headers: { ...formHeaders, 'content-type': 'multipart/form-data' },
      body: 'a=1',
    });
    expect(skipLines().map((l) => [l.level, l.fields])).toEqual([
      ['warn', { reason: 'body_too_large', eventId: 'o87ne' }],
      ['warn', { reason: 'malformed_body', eventId: 'o87ne' }],
    ]);
    vi.advanceTimersByTime(60_000);
    await post();
    expect(skipLines()[2]?.fields).toEqual({
      reason: 'body_too_large',
      eventId: 'o87ne',
      suppressed: 49,
    });
    expect(JSON.stringify(skipLines())).not.toContain('test@twitter.com');
  });
});
