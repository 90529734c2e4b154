import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBudget, fakeX, memoryLogger, ok, simpleDecide } from '../test/fakes.ts';
import { conversion } from '../test/outbox-contract.ts';
import { DEDUP_WINDOW_MS_DEFAULT, LEASE_MS_DEFAULT } from './defaults.ts';
import { createDispatcher, type DispatcherOptions } from './dispatcher.ts';
import type { OutboxStore } from './outbox.ts';
import { memoryOutbox } from './outbox-memory.ts';
import type { SendOutcome } from './x-types.ts';

const T0 = Date.UTC(2026, 0, 1);

/** Advances fake time, then lets the started send tasks run to completion. */
async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 5; i++) await new Promise((done) => setImmediate(done));
    // Timers that work finished above armed for "now".
    await vi.advanceTimersByTimeAsync(0);
  }
}

function setup(overrides: Partial<DispatcherOptions> = {}) {
  const store = memoryOutbox();
  const x = fakeX();
  const budget = fakeBudget();
  const logger = memoryLogger();
  const dispatcher = createDispatcher({
    store,
    client: x,
    budget,
    decide: simpleDecide,
    logger,
    ...overrides,
  });
  const enqueue = async (
    n: number,
    account = 'acc1',
    s: OutboxStore = overrides.store ?? store,
  ) => {
    for (let i = 0; i < n; i++) {
      await s.enqueue({
        pixelId: 'o8z6j',
        account,
        conversion: conversion(),
        now: Date.now(),
        dedupWindowMs: DEDUP_WINDOW_MS_DEFAULT,
      });
      dispatcher.notify('o8z6j', account);
    }
  };
  return { store, x, budget, logger, dispatcher, enqueue };
}

const invalid = (message: string): SendOutcome => ({
  ok: false,
  kind: 'invalid',
  status: 400,
  errors: [{ code: 'INVALID_PARAMETER', message }],
});

describe('createDispatcher', () => {
  beforeEach(() => {
    // setImmediate stays real: `advance()` uses it to let group tasks finish.
    vi.useFakeTimers({ now: T0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits up to the flush interval for a partial batch, then sends it and logs the debug_id', async () => {
    const { x, dispatcher, enqueue, logger, store } = setup();
    await dispatcher.start();
    await enqueue(3);
    await advance(999);
    expect(x.calls).toHaveLength(0);
    await advance(1);
    expect(x.calls.map((c) => c.conversions.length)).toEqual([3]);
    expect((await store.stats(Date.now())).delivered).toBe(3);
    expect(logger.lines).toContainEqual({
      level: 'info',
      message: 'x.send',
      fields: { pixelId: 'o8z6j', account: 'acc1', events: 3, status: 200, debugId: 'debug-3' },
    });
    expect(dispatcher.state().lastDebugId).toBe('debug-3');
  });

  it('flushes at once on a full batch and fills batches of 500', async () => {
    const { x, dispatcher, enqueue } = setup();
    await dispatcher.start();
    await enqueue(1200);
    await advance(0);
    expect(x.calls.map((c) => c.conversions.length)).toEqual([500, 500]);
    await advance(1000);
    expect(x.calls.map((c) => c.conversions.length)).toEqual([500, 500, 200]);
  });

  it('sends one batch per pixel/account', async () => {
    const { x, dispatcher, enqueue } = setup();
    await dispatcher.start();
    await enqueue(2, 'acc1');
    await enqueue(2, 'acc2');
    await advance(1000);
    expect(x.calls.map((c) => c.conversions.length)).toEqual([2, 2]);
  });

  it('retries a 5xx batch after the backoff, counting the attempt and keeping the error', async () => {
    const { x, dispatcher, enqueue, store } = setup();
    x.queue.push({ ok: false, kind: 'transient', status: 503, errors: [] });
    await dispatcher.start();
    await enqueue(2);
    await advance(1000);
    expect(x.calls).toHaveLength(1);
    expect(await store.stats(Date.now())).toMatchObject({ pending: 2, delivered: 0 });
    await advance(999);
    expect(x.calls).toHaveLength(1);
    await advance(1);
    expect(x.calls).toHaveLength(2);
    expect(x.accepted).toHaveLength(2);
    expect(x.calls[1]?.conversions).toEqual(x.calls[0]?.conversions);
  });

  it('dead-letters after the retry budget, never silently', async () => {
    const { x, dispatcher, enqueue, store } = setup();
    x.respond = () => ({ ok: false, kind: 'network', message: 'ECONNRESET' });
    await dispatcher.start();
    await enqueue(1);
    await advance(60_000);
    expect(x.calls).toHaveLength(5);
    const [dead] = await store.deadLetters();
    expect(dead?.lastError).toBe('retry budget spent; last: network');
  });

  it("splits a 400 batch by halves, dead-letters only the bad event with X's message and sends the rest", async () => {
    const { x, dispatcher, store } = setup();
    const bad = conversion({ identifiers: [{ hashed_email: 'abc' }] });
    x.respond = (batch) =>
      batch.includes(bad) || batch.some((c) => JSON.stringify(c) === JSON.stringify(bad))
        ? invalid('hashed_email (abc) is not a valid SHA-256 hash')
        : undefined;
    await dispatcher.start();
    const all = [conversion(), conversion(), bad, conversion(), conversion()];
    for (const c of all) {
      await store.enqueue({
        pixelId: 'o8z6j',
        account: 'acc1',
        conversion: c,
        now: Date.now(),
        dedupWindowMs: DEDUP_WINDOW_MS_DEFAULT,
      });
    }
    await dispatcher.flush();
    expect(x.calls.map((c) => c.conversions.length)).toEqual([5, 3, 2, 1, 2]);
    expect(x.accepted).toHaveLength(4);
    const dead = await store.deadLetters();
    expect(dead.map((e) => e.conversion)).toEqual([bad]);
    expect(dead[0]?.lastError).toBe('HTTP 400: hashed_email (abc) is not a valid SHA-256 hash');
    expect(await store.stats(Date.now())).toMatchObject({ delivered: 4, dead: 1, pending: 0 });
  });

  it('on 429 pauses the whole account until the reset, without counting an attempt', async () => {
    const { x, dispatcher, enqueue, store } = setup();
    const resetAt = T0 + 90_000;
    x.queue.push({ ok: false, kind: 'rate_limited', status: 429, errors: [], resetAt });
    await dispatcher.start();
    await enqueue(2);
    await advance(1000);
    expect(dispatcher.state().paused).toMatchObject([
      { account: 'acc1', until: resetAt, status: 429 },
    ]);
    await enqueue(1);
    await advance(80_000);
    expect(x.calls).toHaveLength(1);
    await advance(resetAt - Date.now());
    expect(x.calls).toHaveLength(2);
    expect(x.calls[1]?.conversions).toHaveLength(3);
    expect(await store.stats(Date.now())).toMatchObject({ delivered: 3 });
    expect(dispatcher.state().paused).toEqual([]);
  });

  it('a paused or hanging account does not hold up another account', async () => {
    const { x, dispatcher, enqueue, store } = setup();
    const hang = new Promise<SendOutcome>(() => {});
    const send = x.send.bind(x);
    x.send = (pixelId, conversions) =>
      conversions.some((c) => c.description === 'slow') ? hang : send(pixelId, conversions);
    await dispatcher.start();
    await store.enqueue({
      pixelId: 'o8z6j',
      account: 'slow-account',
      conversion: conversion({ description: 'slow' }),
      now: Date.now(),
      dedupWindowMs: DEDUP_WINDOW_MS_DEFAULT,
    });
    dispatcher.notify('o8z6j', 'slow-account');
    await advance(1000);
    await enqueue(2, 'acc2');
    await advance(1000);
    expect(x.accepted).toHaveLength(2);
  });

  it('on 401 pauses the account, keeps the events and logs an error', async () => {
    const { x, dispatcher, enqueue, store, logger } = setup({ authPauseMs: 60_000 });
    x.queue.push({
      ok: false,
      kind: 'auth',
      status: 401,
      errors: [
        { code: 'UNAUTHORIZED_ACCESS', message: 'This request is not properly authenticated' },
      ],
    });
    await dispatcher.start();
    await enqueue(2);
    await advance(1000);
    expect(await store.stats(Date.now())).toMatchObject({ pending: 2, dead: 0 });
    expect(logger.lines.find((l) => l.message === 'account.paused')).toMatchObject({
      level: 'error',
    });
    expect(dispatcher.state().paused[0]).toMatchObject({ account: 'acc1', status: 401 });
    // A human fixed the credentials.
    await dispatcher.flush();
    expect(x.calls).toHaveLength(1); // still paused: nothing sent
    dispatcher.resume('acc1');
    await dispatcher.flush();
    expect(await store.stats(Date.now())).toMatchObject({ pending: 0, delivered: 2 });
  });

  it('spends the rate budget and waits when it is empty', async () => {
    const budget = fakeBudget(3);
    const { x, dispatcher, enqueue, store } = setup({ budget });
    await dispatcher.start();
    await enqueue(5);
    await advance(1000);
    expect(x.calls.map((c) => c.conversions.length)).toEqual([3]);
    expect((await store.stats(Date.now())).pending).toBe(2);
    budget.left = 10;
    await advance(1000);
    expect(x.calls.map((c) => c.conversions.length)).toEqual([3, 2]);
    expect(budget.left).toBe(8);
  });

  it('does not spin while the budget is empty or the account is paused', async () => {
    const budget = fakeBudget(0);
    budget.nextFreeAt = async () => Date.now(); // claims "free now" but grants nothing
    const { dispatcher, enqueue, store, x } = setup({ budget });
    const ready = vi.spyOn(store, 'ready');
    await dispatcher.start();
    await enqueue(600);
    await advance(10_000);
    expect(x.calls).toHaveLength(0);
    // At most one look per 25 ms floor (plus the polls), not thousands.
    expect(ready.mock.calls.length).toBeLessThan(2 * (10_000 / 25) + 10);
  });

  it('passes X rate-limit headers to the budget', async () => {
    const { x, dispatcher, enqueue, budget } = setup();
    x.queue.push({
      ...ok(1),
      rateLimit: { limit: 60000, remaining: 59999, resetAt: T0 + 900_000, account: true },
    });
    await dispatcher.start();
    await enqueue(1);
    await advance(1000);
    expect(budget.updates).toEqual([
      { limit: 60000, remaining: 59999, resetAt: T0 + 900_000, account: true },
    ]);
  });

  it('re-delivers events a dead process left in flight once their lease ran out, not before', async () => {
    const { store, x, dispatcher } = setup();
    await store.enqueue({
      pixelId: 'o8z6j',
      account: 'acc1',
      conversion: conversion(),
      now: T0,
      dedupWindowMs: DEDUP_WINDOW_MS_DEFAULT,
    });
    await store.claim({ pixelId: 'o8z6j', account: 'acc1', limit: 1, now: T0, leaseMs: 60_000 });
    await dispatcher.start();
    await advance(1000);
    // The claim may belong to a live process sharing the store: left alone.
    expect(x.accepted).toHaveLength(0);
    await advance(60_000);
    expect(x.accepted).toHaveLength(1);
  });

  it('stop() sends what is due within the bound and leaves the rest stored', async () => {
    const { x, dispatcher, enqueue, store } = setup();
    await dispatcher.start();
    await enqueue(3);
    expect(await dispatcher.stop({ timeoutMs: 1000 })).toEqual({ drained: true });
    expect(x.accepted).toHaveLength(3);
    // After stop, nothing is scheduled any more.
    await enqueue(1);
    await advance(10_000);
    expect(x.calls).toHaveLength(1);
    expect((await store.stats(Date.now())).pending).toBe(1);
  });

  it('stop() gives up at the timeout when X hangs, leaving events for the next start', async () => {
    const { x, dispatcher, enqueue, store } = setup();
    x.send = () => new Promise(() => {});
    await dispatcher.start();
    await enqueue(2);
    const stopped = dispatcher.stop({ timeoutMs: 500 });
    await advance(500);
    expect(await stopped).toEqual({ drained: false });
    expect(await store.stats(Date.now())).toMatchObject({ inFlight: 2, delivered: 0 });
    // The next start recovers them once the lease (60 s by default) has run out.
    expect(await store.recoverInFlight(Date.now())).toBe(0);
    expect(await store.recoverInFlight(Date.now() + LEASE_MS_DEFAULT)).toBe(2);
  });
});
