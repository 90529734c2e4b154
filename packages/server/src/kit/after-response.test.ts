/**
 * Delivery on a runtime without background timers (Cloudflare Workers): the
 * kit's timers never fire here, as an isolate's do not after its response, so
 * only `executionCtx.waitUntil()` and the `scheduled()` handler can deliver.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { event, post, SITE, setup, TWCLID } from '../../test/kit-fixtures.ts';
import type { Timers } from '../dispatcher.ts';

/** Timers that never fire: what a Worker's isolate gives once its response is sent. */
const frozenTimers: Timers = { setTimeout: () => 0, clearTimeout: () => {} };

/** A workerd-like execution context that keeps what was handed to waitUntil(). */
function executionContext() {
  const kept: Promise<unknown>[] = [];
  return {
    kept,
    ctx: {
      waitUntil: (promise: Promise<unknown>) => void kept.push(promise),
      passThroughOnException() {},
      props: {},
    },
    settled: () => Promise.all(kept),
  };
}

const workerKit = () => setup({ timers: frozenTimers, autoStart: false });

describe('delivery after the response (Workers)', () => {
  it('an event accepted by a request is delivered through waitUntil(), no later request needed', async () => {
    const { app, x } = workerKit();
    const worker = executionContext();
    const res = await app.request(
      `${SITE}/tw/events`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: SITE },
        body: JSON.stringify(event()),
      },
      {},
      worker.ctx,
    );
    expect(res.status).toBe(202);
    expect(worker.kept).toHaveLength(1);
    await worker.settled();
    expect(x.accepted.map((c) => c.conversion_id)).toEqual([
      'c0ffee00-0000-4000-8000-000000000001',
    ]);
  });

  it('sendConversion() and kit.form() in app routes owe their flush the same way', async () => {
    const { kit, x } = workerKit();
    const app = new Hono();
    app.post('/buy', async (c) => {
      await kit.sendConversion(c, {
        eventId: 'o87ne',
        conversionId: 'order-42',
        twclid: TWCLID,
        email: 'test@twitter.com',
      });
      return c.text('ok');
    });
    app.post('/signup', kit.form({ eventId: 'o87ne' }), (c) => c.text('thanks'));
    const buy = executionContext();
    const r1 = await app.request(`${SITE}/buy`, { method: 'POST' }, {}, buy.ctx);
    expect(r1.status).toBe(200);
    expect(buy.kept).toHaveLength(1);
    await buy.settled();
    const form = executionContext();
    const r2 = await app.request(
      `${SITE}/signup`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: SITE },
        body: new URLSearchParams({ email: 'ann@example.com', twclid: TWCLID }),
      },
      {},
      form.ctx,
    );
    expect(r2.status).toBe(200);
    expect(form.kept).toHaveLength(1);
    await form.settled();
    expect(x.accepted).toHaveLength(2);
  });

  it('a request that enqueued nothing owes no flush; without an execution context nothing is handed over', async () => {
    const { app, x } = workerKit();
    const worker = executionContext();
    const bad = await app.request(
      `${SITE}/tw/events`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: SITE },
        body: JSON.stringify({ event_id: 'o87ne' }),
      },
      {},
      worker.ctx,
    );
    expect(bad.status).toBe(400);
    expect(worker.kept).toHaveLength(0);
    // Node, Bun, Deno: c.executionCtx throws; the request answers as before.
    const res = await post(app, '/tw/events', event());
    expect(res.status).toBe(202);
    expect(x.calls).toHaveLength(0);
  });

  it('scheduled() drains a retry that came due after a 5xx', async () => {
    let clock = Date.UTC(2026, 0, 1);
    const { app, x, kit } = setup({ timers: frozenTimers, autoStart: false, now: () => clock });
    x.queue.push({ ok: false, kind: 'transient', status: 503, errors: [] });
    const worker = executionContext();
    const res = await app.request(
      `${SITE}/tw/events`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: SITE },
        body: JSON.stringify(event()),
      },
      {},
      worker.ctx,
    );
    expect(res.status).toBe(202);
    await worker.settled();
    expect(x.calls).toHaveLength(1);
    expect(x.accepted).toHaveLength(0);

    clock += 60 * 60_000;
    const cron = executionContext();
    await kit.scheduled({ cron: '*/5 * * * *', scheduledTime: clock }, {}, cron.ctx);
    expect(cron.kept).toHaveLength(1);
    expect(x.calls).toHaveLength(2);
    expect(x.accepted.map((c) => c.conversion_id)).toEqual([
      'c0ffee00-0000-4000-8000-000000000001',
    ]);
  });
});
