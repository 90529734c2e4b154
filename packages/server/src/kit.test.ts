import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { event, post, SITE, setup, T0, TWCLID } from '../test/kit-fixtures.ts';
import { isConfigError, ValidationError } from './errors.ts';
import type { TwclidKitOptions } from './kit.ts';

describe('twclidKit route', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('GET /health reports depth and oldest pending age (overall and per account), delivered, dead, last debug_id and pauses', async () => {
    const { app, x } = setup({ healthDetails: true });
    await post(app, '/tw/events', event({ conversion_id: 'c0ffee00-0000-4000-8000-0000000000a1' }));
    await vi.advanceTimersByTimeAsync(1000);
    x.queue.push({
      ok: false,
      kind: 'auth',
      status: 401,
      errors: [{ code: 'UNAUTHORIZED_ACCESS', message: 'bad token' }],
    });
    await post(app, '/tw/events', event({ conversion_id: 'c0ffee00-0000-4000-8000-0000000000a2' }));
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
    const late = await post(
      app,
      '/tw/events',
      event({ conversion_id: 'c0ffee00-0000-4000-8000-0000000000a3' }),
    );
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
