import { randomUUID } from 'node:crypto';
import { BODY_LIMIT_DEFAULT } from '@twclid-kit/browser/contract';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  EMAIL_HASH,
  event,
  PHONE_HASH,
  post,
  SITE,
  setup,
  T0,
  TWCLID,
} from '../../test/kit-fixtures.ts';

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

  it('enqueues a duplicate (event_id, conversion_id) once, in either event ID form, answering it as the first', async () => {
    const { app, store } = setup();
    const first = await post(app, '/tw/events', event());
    const again = await post(app, '/tw/events', event({ event_id: 'tw-o8z6j-o87ne' }));
    // The public answer never tells whether a key exists (docs/product.md, Safety: Trust).
    expect(again.status).toBe(first.status);
    expect(await again.text()).toBe(await first.text());
    expect([...again.headers]).toEqual([...first.headers]);
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
    expect((await post(app, '/tw/events', event({ conversion_id: randomUUID() }))).status).toBe(
      202,
    );
    expect(
      (
        await post(app, '/tw/events', event({ conversion_id: randomUUID() }), {
          origin: 'https://landing.example',
        })
      ).status,
    ).toBe(202);
    const evil = await post(app, '/tw/events', event({ conversion_id: randomUUID() }), {
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
      body: JSON.stringify(event({ conversion_id: randomUUID() })),
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
    const same = await post(app, '/tw/events', event({ conversion_id: randomUUID() }), {
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
    const listed = await post(app, '/tw/events', event({ conversion_id: randomUUID() }), {
      origin: 'https://landing.example',
    });
    expect(listed.status).toBe(202);
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://landing.example');
  });

  it('rate-limits per IP, groups IPv6 by /56, and resets with the window', async () => {
    const { app } = setup({ ipRateLimit: { limit: 2, windowMs: 60_000 } });
    const from = (ip: string) =>
      post(app, '/tw/events', event({ conversion_id: randomUUID() }), { 'x-test-ip': ip });
    expect((await from('2001:db8:1:2::1')).status).toBe(202);
    expect((await from('2001:db8:1:2:ffff::9')).status).toBe(202);
    // Another /64 inside the same /56 is the same subscriber.
    const third = await from('2001:db8:1:ff::3');
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('60');
    expect(await third.json()).toMatchObject({ error: { code: 'rate_limited', field: 'ip' } });
    // Another /56 and another IPv4 address have their own allowance.
    expect((await from('2001:db8:1:100::1')).status).toBe(202);
    expect((await from('198.51.100.2')).status).toBe(202);
    vi.setSystemTime(T0 + 60_000);
    expect((await from('2001:db8:1:2::1')).status).toBe(202);
  });

  it('still honours the deprecated `rateLimit` alias of `ipRateLimit`; the new name wins', async () => {
    const old = setup({ rateLimit: { limit: 1 } });
    const o1 = await post(old.app, '/tw/events', event({ conversion_id: randomUUID() }));
    const o2 = await post(old.app, '/tw/events', event({ conversion_id: randomUUID() }));
    expect([o1.status, o2.status]).toEqual([202, 429]);

    const both = setup({ rateLimit: { limit: 1 }, ipRateLimit: { limit: 2 } });
    const statuses = [];
    for (let n = 0; n < 3; n++) {
      statuses.push(
        (await post(both.app, '/tw/events', event({ conversion_id: randomUUID() }))).status,
      );
    }
    expect(statuses).toEqual([202, 202, 429]);

    // Off: one more request than the default per-IP allowance (60) still passes.
    const off = setup({ rateLimit: false });
    for (let n = 0; n <= 60; n++) {
      expect(
        (await post(off.app, '/tw/events', event({ conversion_id: randomUUID() }))).status,
      ).toBe(202);
    }
  });

  it('trusts X-Forwarded-For only when configured', async () => {
    const untrusted = setup({ getIp: undefined, ipRateLimit: { limit: 1 } });
    const r1 = await post(untrusted.app, '/tw/events', event({ conversion_id: randomUUID() }), {
      'x-forwarded-for': '198.51.100.1',
    });
    const r2 = await post(untrusted.app, '/tw/events', event({ conversion_id: randomUUID() }), {
      'x-forwarded-for': '198.51.100.2',
    });
    // Spoofed headers do not buy a fresh allowance.
    expect([r1.status, r2.status]).toEqual([202, 429]);

    const trusted = setup({ getIp: undefined, trustProxy: true, ipRateLimit: { limit: 1 } });
    const t1 = await post(trusted.app, '/tw/events', event({ conversion_id: randomUUID() }), {
      'x-forwarded-for': '10.0.0.1, 198.51.100.1',
    });
    const t2 = await post(trusted.app, '/tw/events', event({ conversion_id: randomUUID() }), {
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
    const gpc = await post(app, '/tw/events', event({ conversion_id: randomUUID() }), {
      'sec-gpc': '1',
    });
    expect(gpc.status).toBe(202);
    expect(await gpc.json()).toEqual({ suppressed: true });
    const optOut = await post(
      app,
      '/tw/events',
      event({ conversion_id: randomUUID(), opt_out: true }),
    );
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
});
