import { createHash } from 'node:crypto';
import { BODY_LIMIT_DEFAULT } from '@twclid-kit/browser/contract';
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { validator } from 'hono/validator';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeX, memoryLogger } from '../test/fakes.ts';
import { isConfigError, ValidationError } from './errors.ts';
import { type TwclidEnv, type TwclidKitOptions, twclidKit } from './kit.ts';
import { memoryOutbox } from './outbox-memory.ts';

const T0 = Date.UTC(2026, 0, 1);
const SITE = 'https://shop.example';
const TWCLID = '23opevjt88psuo13lu8d020qkn';
// SHA-256 of "test@twitter.com" (docs/x-api.md §1, X's documented vector).
const EMAIL_HASH = 'd360d510a224510f373931ce2d6215a799f5a9c1cef221b0149b6b6b50cced62';
// A valid US number; its digest is of the E.164 form with the `+` (docs/x-api.md §1).
const PHONE = '+1 (415) 555-2671';
const PHONE_HASH = createHash('sha256').update('+14155552671').digest('hex');

function setup(overrides: Partial<TwclidKitOptions> = {}) {
  const x = fakeX();
  const store = memoryOutbox();
  const logger = memoryLogger();
  const kit = twclidKit({
    pixelId: 'o8z6j',
    events: ['o87ne', 'tw-o8z6j-o87nf'],
    store,
    client: x,
    logger,
    getIp: (c) => c.req.header('x-test-ip') ?? '203.0.113.7',
    ...overrides,
  });
  const app = new Hono();
  app.route('/tw', kit);
  return { x, store, logger, kit, app };
}

const event = (body: Record<string, unknown> = {}) => ({
  event_id: 'o87ne',
  conversion_id: 'c0ffee00-0000-4000-8000-000000000001',
  twclid: TWCLID,
  email: '  Test@Twitter.com ',
  phone: PHONE,
  value: '20.00',
  currency: 'USD',
  event_source_url: `${SITE}/checkout`,
  ...body,
});

function post(
  app: Hono,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  raw = false,
): Promise<Response> {
  return Promise.resolve(
    app.request(`${SITE}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: SITE,
        'user-agent': 'Mozilla/5.0 test',
        ...headers,
      },
      body: raw ? (body as string) : JSON.stringify(body),
    }),
  );
}

describe('twclidKit route', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('POST /events stores a hashed conversion before answering 202 { conversion_id }, then delivers it', async () => {
    const { app, store, x, logger } = setup();
    const res = await post(app, '/tw/events', event());
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ conversion_id: 'c0ffee00-0000-4000-8000-000000000001' });
    expect((await store.stats(Date.now())).pending).toBe(1);

    await vi.advanceTimersByTimeAsync(1000);
    expect(x.accepted).toHaveLength(1);
    const sent = x.accepted[0];
    expect(sent).toMatchObject({
      event_id: 'o87ne',
      conversion_id: 'c0ffee00-0000-4000-8000-000000000001',
      value: '20.00',
      price_currency: 'USD',
    });
    expect(sent?.identifiers).toEqual(
      expect.arrayContaining([
        { twclid: TWCLID },
        { hashed_email: EMAIL_HASH },
        { hashed_phone_number: PHONE_HASH },
        { ip_address: '203.0.113.7' },
        { user_agent: 'Mozilla/5.0 test' },
      ]),
    );
    // Raw identifiers never reach the outbox, X or the logs.
    const everything = JSON.stringify(sent) + logger.text();
    expect(everything).not.toMatch(/twitter\.com|555|4155552671/i);
  });

  it('accepts the same JSON as text/plain (sendBeacon)', async () => {
    const { app } = setup();
    const res = await post(app, '/tw/events', event(), {
      'content-type': 'text/plain;charset=UTF-8',
    });
    expect(res.status).toBe(202);
  });

  it('enqueues a duplicate (event_id, conversion_id) once, in either event ID form', async () => {
    const { app, store } = setup();
    await post(app, '/tw/events', event());
    const again = await post(app, '/tw/events', event({ event_id: 'tw-o8z6j-o87ne' }));
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({ conversion_id: event().conversion_id, duplicate: true });
    expect((await store.stats(Date.now())).pending).toBe(1);
  });

  it('never takes IP or user agent from the body', async () => {
    const { app, store } = setup();
    await post(
      app,
      '/tw/events',
      event({ ip: '198.51.100.1', ip_address: '198.51.100.1', user_agent: 'evil' }),
    );
    const [stored] = await store.claim({
      pixelId: 'o8z6j',
      account: 'o8z6j',
      limit: 1,
      now: Date.now(),
      leaseMs: 1,
    });
    expect(JSON.stringify(stored?.conversion)).not.toMatch(/198\.51|evil/);
  });

  it.each([
    ['malformed JSON', '{"event_id": ', 'malformed_json', 'body'],
    ['a JSON array', '[]', 'invalid_field', 'body'],
    ['JSON null', 'null', 'invalid_field', 'body'],
    ['missing event_id', JSON.stringify({ conversion_id: 'x' }), 'invalid_field', 'event_id'],
    [
      'missing conversion_id',
      JSON.stringify({ event_id: 'o87ne' }),
      'invalid_field',
      'conversion_id',
    ],
    ['email of the wrong type', JSON.stringify(event({ email: 42 })), 'invalid_field', 'email'],
    ['a bad email', JSON.stringify(event({ email: 'not-an-email' })), 'invalid_field', 'email'],
    ['a bad phone', JSON.stringify(event({ phone: 'call me' })), 'invalid_field', 'phone'],
    [
      'a bad content price',
      JSON.stringify(event({ contents: [{ content_id: 'sku', content_price: {} }] })),
      'invalid_field',
      'contents[0].content_price',
    ],
    [
      'an event that is not allowed',
      JSON.stringify(event({ event_id: 'zzzzz' })),
      'event_not_allowed',
      'event_id',
    ],
    [
      "another pixel's event tag",
      JSON.stringify(event({ event_id: 'tw-other-o87ne' })),
      'event_not_allowed',
      'event_id',
    ],
  ])(
    'rejects %s with a 400 naming the field, storing nothing',
    async (_name, body, code, field) => {
      const { app, store } = setup();
      const res = await post(app, '/tw/events', body, {}, true);
      expect(res.status).toBe(400);
      const json = (await res.json()) as {
        error: { code: string; field: string; message: string };
      };
      expect(json.error).toMatchObject({ code, field });
      expect(json.error.message).toBeTruthy();
      expect((await store.stats(Date.now())).pending).toBe(0);
    },
  );

  it('rejects other media types with 415', async () => {
    const { app } = setup();
    const res = await post(
      app,
      '/tw/events',
      'event_id=o87ne',
      {
        'content-type': 'application/x-www-form-urlencoded',
      },
      true,
    );
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: { field: 'content-type' } });
  });

  it('ignores unknown keys; prototype-pollution keys are harmless', async () => {
    const { app } = setup();
    const body = `{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"extra":1,${JSON.stringify(event()).slice(1)}`;
    const res = await post(app, '/tw/events', body, {}, true);
    expect(res.status).toBe(202);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it(`limits the body to ${BODY_LIMIT_DEFAULT} bytes by default (413 naming the body)`, async () => {
    const { app, store } = setup();
    const res = await post(
      app,
      '/tw/events',
      event({ description: 'x'.repeat(BODY_LIMIT_DEFAULT) }),
    );
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'body_too_large', field: 'body' } });
    // A streamed body without Content-Length is cut off too.
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(
          new TextEncoder().encode(JSON.stringify(event({ description: 'y'.repeat(20_000) }))),
        );
        controller.close();
      },
    });
    const streamed = await app.request(`${SITE}/tw/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: SITE },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect((await store.stats(Date.now())).pending).toBe(0);
  });

  it('allows the same origin and listed origins, rejects others and origin-less posts (403 origin)', async () => {
    const { app } = setup({ allowedOrigins: ['https://landing.example'] });
    expect((await post(app, '/tw/events', event({ conversion_id: 'a' }))).status).toBe(202);
    expect(
      (
        await post(app, '/tw/events', event({ conversion_id: 'b' }), {
          origin: 'https://landing.example',
        })
      ).status,
    ).toBe(202);
    const evil = await post(app, '/tw/events', event({ conversion_id: 'c' }), {
      origin: 'https://evil.example',
      'content-type': 'text/plain',
    });
    expect(evil.status).toBe(403);
    expect(await evil.json()).toMatchObject({
      error: { code: 'origin_not_allowed', field: 'origin' },
    });
    const none = await app.request(`${SITE}/tw/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event({ conversion_id: 'd' })),
    });
    expect(none.status).toBe(403);
  });

  it('answers CORS preflights for listed origins only', async () => {
    const { app } = setup({ allowedOrigins: ['https://landing.example'] });
    const preflight = (origin: string) =>
      app.request(`${SITE}/tw/events`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const ok = await preflight('https://landing.example');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://landing.example');
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    const evil = await preflight('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a body that is not UTF-8 with 400 naming the body, storing nothing', async () => {
    // Regression: invalid bytes were decoded to U+FFFD and the event stored and sent
    // (found by bench/reliability, bad-input scenario).
    const { app, store } = setup();
    const json = JSON.stringify(event({ conversion_id: 'c0ffee00-XX' }));
    const [before, after] = json.split('XX') as [string, string];
    for (const bad of [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
      const body = Buffer.concat([Buffer.from(before), Buffer.from(bad), Buffer.from(after)]);
      const res = await app.request(`${SITE}/tw/events`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', origin: SITE },
        body,
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'malformed_body', field: 'body' } });
    }
    expect((await store.stats(Date.now())).pending).toBe(0);
  });

  it('adds CORS headers for listed other origins only, not to same-origin posts', async () => {
    // Same-origin posts skip the CORS middleware: its headers on a finished response made
    // @hono/node-server build a full web Response for every event (bench/RESULTS.md).
    const { app } = setup({ allowedOrigins: ['https://landing.example'] });
    const same = await post(app, '/tw/events', event({ conversion_id: 'same' }), {
      host: 'shop.example',
    });
    expect(same.status).toBe(202);
    for (const name of [
      'access-control-allow-origin',
      'access-control-allow-credentials',
      'vary',
    ]) {
      expect(same.headers.get(name)).toBeNull();
    }
    const listed = await post(app, '/tw/events', event({ conversion_id: 'listed' }), {
      origin: 'https://landing.example',
    });
    expect(listed.status).toBe(202);
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://landing.example');
  });

  it('rate-limits per IP, groups IPv6 by /64, and resets with the window', async () => {
    const { app } = setup({ rateLimit: { limit: 2, windowMs: 60_000 } });
    const from = (ip: string, n: number) =>
      post(app, '/tw/events', event({ conversion_id: `id-${ip}-${n}` }), { 'x-test-ip': ip });
    expect((await from('2001:db8:1:2::1', 1)).status).toBe(202);
    expect((await from('2001:db8:1:2:ffff::9', 2)).status).toBe(202);
    const third = await from('2001:db8:1:2::3', 3);
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('60');
    expect(await third.json()).toMatchObject({ error: { code: 'rate_limited', field: 'ip' } });
    // Another /64 and another IPv4 address have their own allowance.
    expect((await from('2001:db8:1:3::1', 4)).status).toBe(202);
    expect((await from('198.51.100.2', 5)).status).toBe(202);
    vi.setSystemTime(T0 + 60_000);
    expect((await from('2001:db8:1:2::1', 6)).status).toBe(202);
  });

  it('trusts X-Forwarded-For only when configured', async () => {
    const untrusted = setup({ getIp: undefined, rateLimit: { limit: 1 } });
    const r1 = await post(untrusted.app, '/tw/events', event({ conversion_id: 'u1' }), {
      'x-forwarded-for': '198.51.100.1',
    });
    const r2 = await post(untrusted.app, '/tw/events', event({ conversion_id: 'u2' }), {
      'x-forwarded-for': '198.51.100.2',
    });
    // Spoofed headers do not buy a fresh allowance.
    expect([r1.status, r2.status]).toEqual([202, 429]);

    const trusted = setup({ getIp: undefined, trustProxy: true, rateLimit: { limit: 1 } });
    const t1 = await post(trusted.app, '/tw/events', event({ conversion_id: 't1' }), {
      'x-forwarded-for': '10.0.0.1, 198.51.100.1',
    });
    const t2 = await post(trusted.app, '/tw/events', event({ conversion_id: 't2' }), {
      'x-forwarded-for': '10.0.0.1, 198.51.100.2',
    });
    expect([t1.status, t2.status]).toEqual([202, 202]);
    const [stored] = await trusted.store.claim({
      pixelId: 'o8z6j',
      account: 'o8z6j',
      limit: 1,
      now: Date.now(),
      leaseMs: 1,
    });
    expect(stored?.conversion.identifiers).toContainEqual({ ip_address: '198.51.100.1' });
  });

  it('respects Sec-GPC: 1 and an explicit opt-out: 202 { suppressed: true }, not forwarded, counted', async () => {
    const { app, store, x, kit } = setup();
    const gpc = await post(app, '/tw/events', event({ conversion_id: 'g1' }), { 'sec-gpc': '1' });
    expect(gpc.status).toBe(202);
    expect(await gpc.json()).toEqual({ suppressed: true });
    const optOut = await post(app, '/tw/events', event({ conversion_id: 'g2', opt_out: true }));
    expect(await optOut.json()).toEqual({ suppressed: true });
    await vi.advanceTimersByTimeAsync(5000);
    expect(x.calls).toHaveLength(0);
    expect((await store.stats(Date.now())).pending).toBe(0);
    expect((await kit.stats()).counters.suppressed).toBe(2);
  });

  it('drops honeypot hits without telling the bot', async () => {
    const { app, store, kit } = setup({ honeypotField: 'website' });
    const res = await post(app, '/tw/events', event({ website: 'http://spam.example' }));
    expect(res.status).toBe(202);
    expect((await store.stats(Date.now())).pending).toBe(0);
    expect((await kit.stats()).counters.spam).toBe(1);
  });

  it('POST /capture refreshes the click cookie (Lax, path /, 90 days, Secure on https, readable by the script)', async () => {
    const { app } = setup();
    const res = await post(app, '/tw/capture', { twclid: TWCLID });
    expect(res.status).toBe(204);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toContain(`_twclid_kit=1.${T0}.${TWCLID}`);
    expect(cookie).toContain('Max-Age=7776000');
    expect(cookie).toContain('Path=/');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Secure');
    expect(cookie).not.toMatch(/HttpOnly/i);

    const http = await app.request('http://shop.example/tw/capture', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'http://shop.example' },
      body: JSON.stringify({ twclid: TWCLID }),
    });
    expect(http.headers.get('set-cookie')).not.toContain('Secure');
  });

  it('POST /capture sets the cookie on the domain the script used, only the host or a parent of it', async () => {
    const { app } = setup({ allowedOrigins: ['https://shop.example.com'] });
    const capture = async (domain: unknown, host = 'shop.example.com') => {
      const res = await app.request(`https://${host}/tw/capture`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: `https://${host}` },
        body: JSON.stringify({ twclid: TWCLID, domain }),
      });
      expect(res.status).toBe(204);
      return res.headers.get('set-cookie') ?? '';
    };
    // The registrable domain the script probed: the same cookie the script wrote.
    expect(await capture('example.com')).toContain('Domain=example.com');
    expect(await capture('shop.example.com')).toContain('Domain=shop.example.com');
    // A domain the host is not part of, or a bare top-level domain: host-only.
    for (const foreign of ['evil.example', 'com', 'other.example.com', '', 42]) {
      const cookie = await capture(foreign);
      expect(cookie, String(foreign)).toContain(`_twclid_kit=1.${T0}.${TWCLID}`);
      expect(cookie, String(foreign)).not.toMatch(/Domain=/i);
    }
    // No domain sent (an older script, or host-only on localhost/IPs): host-only.
    expect(await capture(undefined)).not.toMatch(/Domain=/i);
  });

  it("POST /capture falls back to the configured cookie.domain; the script's checked domain wins", async () => {
    const { app } = setup({ cookie: { domain: 'shop.example' } });
    const capture = async (body: Record<string, unknown>) =>
      (await post(app, '/tw/capture', body)).headers.get('set-cookie') ?? '';
    expect(await capture({ twclid: TWCLID })).toContain('Domain=shop.example');
    expect(await capture({ twclid: TWCLID, domain: 'evil.example' })).toContain(
      'Domain=shop.example',
    );
  });

  it('POST /capture rejects a bad click ID and stores nothing under GPC', async () => {
    const { app } = setup();
    const bad = await post(app, '/tw/capture', { twclid: 'no spaces <>' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { field: 'twclid' } });
    const gpc = await post(app, '/tw/capture', { twclid: TWCLID }, { 'sec-gpc': '1' });
    expect(gpc.headers.get('set-cookie')).toBeNull();
  });

  it('GET /health reports depth and oldest pending age (overall and per account), delivered, dead, last debug_id and pauses', async () => {
    const { app, x } = setup();
    await post(app, '/tw/events', event({ conversion_id: 'h1' }));
    await vi.advanceTimersByTimeAsync(1000);
    x.queue.push({
      ok: false,
      kind: 'auth',
      status: 401,
      errors: [{ code: 'UNAUTHORIZED_ACCESS', message: 'bad token' }],
    });
    await post(app, '/tw/events', event({ conversion_id: 'h2' }));
    await vi.advanceTimersByTimeAsync(1500);
    const res = await app.request(`${SITE}/tw/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'paused',
      depth: 1,
      pending: 1,
      delivered: 1,
      dead: 0,
      oldestPendingAgeMs: 1500,
      depthByAccount: { o8z6j: 1 },
      oldestPendingAgeMsByAccount: { o8z6j: 1500 },
      lastDebugId: 'debug-1',
      pausedAccounts: [{ account: 'o8z6j', status: 401 }],
      counters: { accepted: 2, duplicates: 0, suppressed: 0, spam: 0, rejected: 0 },
    });
  });

  it('purges delivered events hourly once older than the idempotency window', async () => {
    const { app, kit } = setup({ dedupWindowMs: 48 * 3_600_000 });
    await post(app, '/tw/events', event());
    await vi.advanceTimersByTimeAsync(1000);
    expect((await kit.stats()).delivered).toBe(1);
    vi.setSystemTime(Date.now() + 48 * 3_600_000);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect((await kit.stats()).delivered).toBe(0);
  });

  it('shutdown stops intake (503), flushes what is pending and closes the store', async () => {
    const { app, kit, x } = setup();
    await post(app, '/tw/events', event());
    const result = await kit.shutdown({ timeoutMs: 1000 });
    expect(result).toEqual({ drained: true });
    expect(x.accepted).toHaveLength(1);
    const late = await post(app, '/tw/events', event({ conversion_id: 'late' }));
    expect(late.status).toBe(503);
    expect(await late.json()).toMatchObject({ error: { code: 'shutting_down' } });
  });
});

describe('twclidKit middleware and helpers', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function formApp(overrides: Partial<TwclidKitOptions> = {}) {
    const env = setup(overrides);
    const seen: { body?: Record<string, unknown>; conversion?: unknown; twclid?: string } = {};
    const site = new Hono<TwclidEnv>();
    site.post(
      '/signup',
      env.kit.form({
        eventId: 'o87ne',
        map: (body) => ({ value: String(body.amount ?? '') || undefined }),
      }),
      async (c) => {
        seen.body = await c.req.parseBody();
        seen.conversion = c.get('conversion');
        seen.twclid = c.get('twclid');
        return c.redirect('/thanks', 303);
      },
    );
    return { ...env, site, seen };
  }

  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const formHeaders = {
    'content-type': 'application/x-www-form-urlencoded',
    origin: SITE,
    'user-agent': 'UA/1',
  };

  it('form middleware enqueues from the urlencoded body and the app handler still reads the body', async () => {
    const { site, seen, store } = formApp();
    const res = await site.request(`${SITE}/signup`, {
      method: 'POST',
      headers: formHeaders,
      body: form({
        twclid: TWCLID,
        conversion_id: 'form-1',
        email: 'test@twitter.com',
        name: 'Ann',
        amount: '9.5',
      }),
    });
    expect(res.status).toBe(303);
    expect(seen.body).toEqual({
      twclid: TWCLID,
      conversion_id: 'form-1',
      email: 'test@twitter.com',
      name: 'Ann',
      amount: '9.5',
    });
    expect(seen.conversion).toMatchObject({
      status: 'queued',
      conversionId: 'form-1',
      duplicate: false,
    });
    expect(seen.twclid).toBe(TWCLID);
    const [stored] = await store.claim({
      pixelId: 'o8z6j',
      account: 'o8z6j',
      limit: 1,
      now: Date.now(),
      leaseMs: 1,
    });
    expect(stored?.conversion).toMatchObject({ conversion_id: 'form-1', value: '9.5' });
    expect(stored?.conversion.identifiers).toEqual(
      expect.arrayContaining([
        { twclid: TWCLID },
        { hashed_email: EMAIL_HASH },
        { user_agent: 'UA/1' },
      ]),
    );
  });

  /** A body streamed in chunks, so the request carries no Content-Length. */
  const chunked = (text: string, chunkSize = 64): RequestInit => {
    const bytes = new TextEncoder().encode(text);
    return {
      method: 'POST',
      headers: formHeaders,
      body: new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < bytes.length; at += chunkSize) {
            controller.enqueue(bytes.slice(at, at + chunkSize));
          }
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit;
  };

  it('form middleware reads a chunked post (no Content-Length) before or after a validator, in any order', async () => {
    const fields = { twclid: TWCLID, conversion_id: 'chunk-1', email: 'test@twitter.com' };
    const passForm = validator('form', (value) => value);
    const arrangements = {
      alone: [],
      'validator first': [passForm],
      'text() first': [
        createMiddleware(async (c, next) => {
          await c.req.text();
          await next();
        }),
      ],
    };
    for (const [name, before] of Object.entries(arrangements)) {
      const env = setup();
      const site = new Hono<TwclidEnv>();
      const seen: { body?: unknown; text?: string; validated?: unknown; conversion?: unknown } = {};
      site.post(
        '/signup',
        ...(before as []),
        env.kit.form({ eventId: 'o87ne' }),
        passForm,
        async (c) => {
          seen.validated = c.req.valid('form' as never);
          seen.body = await c.req.parseBody();
          seen.text = await c.req.text();
          seen.conversion = c.get('conversion');
          return c.redirect('/thanks', 303);
        },
      );
      const res = await site.request(`${SITE}/signup`, chunked(form(fields), 7));
      expect(res.status, name).toBe(303);
      expect(seen.body, name).toEqual(fields);
      expect(seen.validated, name).toEqual(fields);
      expect(seen.text, name).toBe(form(fields));
      expect(seen.conversion, name).toMatchObject({ status: 'queued', conversionId: 'chunk-1' });
      expect((await env.store.stats(Date.now())).pending, name).toBe(1);
    }
  });

  it('form middleware answers an oversized chunked post with 413 naming the limit, validator or not', async () => {
    for (const withValidator of [false, true]) {
      const env = setup({ bodyLimit: 1024 });
      const site = new Hono<TwclidEnv>();
      let reached = false;
      const handlers = withValidator ? [validator('form', (value) => value)] : [];
      site.post('/signup', ...(handlers as []), env.kit.form({ eventId: 'o87ne' }), (c) => {
        reached = true;
        return c.text('ok');
      });
      const res = await site.request(
        `${SITE}/signup`,
        chunked(form({ conversion_id: 'big', note: 'x'.repeat(4096) })),
      );
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({
        error: {
          code: 'body_too_large',
          message: 'The request body exceeds 1024 bytes',
          field: 'body',
        },
      });
      expect(reached).toBe(false);
      expect((await env.store.stats(Date.now())).pending).toBe(0);
    }
  });

  it('form middleware answers a form body nobody can parse with 400 naming the body', async () => {
    const { site, seen } = formApp();
    for (const type of ['multipart/form-data', 'multipart/form-data; boundary=xyz']) {
      const res = await site.request(`${SITE}/signup`, {
        method: 'POST',
        headers: { ...formHeaders, 'content-type': type },
        body: 'not a multipart body',
      });
      expect(res.status, type).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'malformed_form', field: 'body' } });
    }
    expect(seen.body).toBeUndefined();
  });

  it('form middleware reads multipart bodies too, with configurable field names', async () => {
    const env = setup();
    const site = new Hono<TwclidEnv>();
    let read: unknown;
    site.post(
      '/lead',
      env.kit.form({ eventId: 'o87ne', fields: { email: 'work_email', phone: 'mobile' } }),
      async (c) => {
        read = (await c.req.parseBody()).work_email;
        return c.text('ok');
      },
    );
    const body = new FormData();
    body.set('conversion_id', 'mp-1');
    body.set('work_email', 'test@twitter.com');
    body.set('mobile', PHONE);
    const res = await site.request(`${SITE}/lead`, {
      method: 'POST',
      headers: { origin: SITE },
      body,
    });
    expect(res.status).toBe(200);
    expect(read).toBe('test@twitter.com');
    const [stored] = await env.store.claim({
      pixelId: 'o8z6j',
      account: 'o8z6j',
      limit: 1,
      now: Date.now(),
      leaseMs: 1,
    });
    expect(stored?.conversion.identifiers).toEqual(
      expect.arrayContaining([{ hashed_email: EMAIL_HASH }, { hashed_phone_number: PHONE_HASH }]),
    );
  });

  it('form middleware blocks cross-site posts (CSRF) with a JSON 403', async () => {
    const { site, seen } = formApp();
    const res = await site.request(`${SITE}/signup`, {
      method: 'POST',
      headers: { ...formHeaders, origin: 'https://evil.example' },
      body: form({ email: 'a@b.co' }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      error: { code: 'origin_not_allowed', field: 'origin' },
    });
    expect(seen.body).toBeUndefined();
  });

  it("form middleware lets the visitor's post through when the conversion data is invalid, storing nothing", async () => {
    const { site, seen, store, logger } = formApp();
    const res = await site.request(`${SITE}/signup`, {
      method: 'POST',
      headers: formHeaders,
      body: form({ conversion_id: 'bad-1', email: 'nope', phone: 'call me' }),
    });
    expect(res.status).toBe(303);
    expect(seen.conversion).toMatchObject({ status: 'invalid' });
    expect((await store.stats(Date.now())).pending).toBe(0);
    expect(logger.text()).not.toContain('call me');
  });

  it('form middleware honours GPC and the opt-out field', async () => {
    const { site, seen, store } = formApp();
    await site.request(`${SITE}/signup`, {
      method: 'POST',
      headers: { ...formHeaders, 'sec-gpc': '1' },
      body: form({ email: 'test@twitter.com' }),
    });
    expect(seen.conversion).toEqual({ status: 'suppressed', reason: 'gpc' });
    await site.request(`${SITE}/signup`, {
      method: 'POST',
      headers: formHeaders,
      body: form({ email: 'test@twitter.com', opt_out: 'on' }),
    });
    expect(seen.conversion).toEqual({ status: 'suppressed', reason: 'opt_out' });
    expect((await store.stats(Date.now())).pending).toBe(0);
  });

  it('landing middleware sets the click cookie from ?twclid= and exposes c.var.twclid', async () => {
    const { kit } = setup();
    const site = new Hono<TwclidEnv>();
    site.use('*', kit.landing());
    site.get('/', (c) => c.text(c.get('twclid') ?? 'none'));
    const landed = await site.request(`${SITE}/?twclid=${TWCLID}`);
    expect(await landed.text()).toBe(TWCLID);
    expect(landed.headers.get('set-cookie')).toContain(`_twclid_kit=1.${T0}.${TWCLID}`);
    const later = await site.request(`${SITE}/`, {
      headers: { cookie: `_twclid_kit=1.${T0}.${TWCLID}` },
    });
    expect(await later.text()).toBe(TWCLID);
    expect(later.headers.get('set-cookie')).toBeNull();
    const pixelOnly = await site.request(`${SITE}/`, {
      headers: {
        cookie: `_twclid=${encodeURIComponent(JSON.stringify({ twclid: 'abc123', timestamp: 1 }))}`,
      },
    });
    expect(await pixelOnly.text()).toBe('abc123');
  });

  it('landing middleware puts the configured cookie.domain on the click cookie (multi-subdomain sites)', async () => {
    const { kit } = setup({ cookie: { domain: 'example.com' } });
    const site = new Hono<TwclidEnv>();
    site.use('*', kit.landing());
    site.get('/', (c) => c.text('ok'));
    const landed = await site.request(`https://shop.example.com/?twclid=${TWCLID}`);
    expect(landed.headers.get('set-cookie')).toContain('Domain=example.com');
  });

  it('sendConversion takes twclid from the cookie and IP/UA from the request (flow C)', async () => {
    const { kit, store } = setup();
    const site = new Hono();
    site.post('/paid', async (c) => {
      const result = await kit.sendConversion(c, {
        eventId: 'o87ne',
        conversionId: 'order-42',
        email: 'test@twitter.com',
        value: 20,
      });
      return c.json(result);
    });
    const res = await site.request(`${SITE}/paid`, {
      method: 'POST',
      headers: {
        cookie: `_twclid_kit=1.${T0}.${TWCLID}`,
        'user-agent': 'UA/2',
        'x-test-ip': '192.0.2.1',
      },
    });
    expect(await res.json()).toMatchObject({
      status: 'queued',
      conversionId: 'order-42',
      duplicate: false,
    });
    const [stored] = await store.claim({
      pixelId: 'o8z6j',
      account: 'o8z6j',
      limit: 1,
      now: Date.now(),
      leaseMs: 1,
    });
    expect(stored?.conversion.identifiers).toEqual(
      expect.arrayContaining([
        { twclid: TWCLID },
        { ip_address: '192.0.2.1' },
        { user_agent: 'UA/2' },
      ]),
    );
  });

  it('sendConversion throws a ValidationError naming the field', async () => {
    const { kit } = setup();
    const site = new Hono();
    let caught: unknown;
    site.post('/paid', async (c) => {
      try {
        await kit.sendConversion(c, { eventId: 'o87ne', email: 'broken' });
      } catch (error) {
        caught = error;
      }
      return c.text('');
    });
    await site.request(`${SITE}/paid`, { method: 'POST' });
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).issues[0]?.field).toBe('email');
  });

  it.each([
    ['a dedup window under 48 hours', { dedupWindowMs: 47 * 3_600_000 }, 'dedupWindowMs'],
    ['no store', { store: undefined }, 'store'],
    ['no auth and no client', { client: undefined, auth: undefined }, 'auth'],
    ['no events', { events: [] }, 'events'],
    ["another pixel's event", { events: ['tw-other-o87ne'] }, 'events'],
    ['a bad allowed origin', { allowedOrigins: ['not a url'] }, 'allowedOrigins'],
    ['no pixel', { pixelId: '' }, 'pixelId'],
    [
      'a retention shorter than the dedup window',
      { retainDeliveredMs: 3_600_000 },
      'retainDeliveredMs',
    ],
  ])('fails at construction on %s, naming the option', (_name, overrides, variable) => {
    let caught: unknown;
    try {
      setup(overrides as Partial<TwclidKitOptions>);
    } catch (error) {
      caught = error;
    }
    expect(isConfigError(caught)).toBe(true);
    expect((caught as { variable: string }).variable).toBe(variable);
  });
});
