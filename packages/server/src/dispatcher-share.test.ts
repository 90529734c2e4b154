import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeX, memoryLogger, simpleDecide } from '../test/fakes.ts';
import { conversion } from '../test/outbox-contract.ts';
import { DEDUP_WINDOW_MS_DEFAULT } from './defaults.ts';
import { createDispatcher } from './dispatcher.ts';
import { browserKey, browserShareLimit } from './dispatcher-share.ts';
import type { ConversionOrigin } from './outbox.ts';
import { memoryOutbox } from './outbox-memory.ts';
import { createRateBudget } from './rate-budget.ts';
import type { RateBudget, SendOutcome } from './x-types.ts';

const T0 = Date.UTC(2026, 0, 1);
const WINDOW_MS = 10_000;
const LIMIT = 1000;
const SHARE = 0.5;

/** Advances fake time, then lets the started send tasks run to completion. */
async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 5; i++) await new Promise((done) => setImmediate(done));
    await vi.advanceTimersByTimeAsync(0);
  }
}

/** A budget that records which keys were told a request ended, and with how many events. */
function recording(budget: RateBudget) {
  const answered: [string, number][] = [];
  return {
    answered,
    budget: {
      ...budget,
      take: budget.take,
      nextFreeAt: budget.nextFreeAt,
      refund: budget.refund,
      update: budget.update,
      async answered(account: string, count: number) {
        answered.push([account, count]);
        await budget.answered?.(account, count);
      },
    } satisfies RateBudget,
  };
}

function setup(options: { share?: boolean } = {}) {
  const store = memoryOutbox();
  const x = fakeX();
  /** Each request to X: when, and how many of its events came from each origin. */
  const sends: { at: number; browser: number; server: number }[] = [];
  const send = x.send.bind(x);
  x.send = async (pixelId, conversions) => {
    const browser = conversions.filter((c) => c.conversion_id?.startsWith('b-')).length;
    sends.push({ at: Date.now(), browser, server: conversions.length - browser });
    return send(pixelId, conversions);
  };
  const now = () => Date.now();
  const budget = createRateBudget({ limit: LIMIT, windowMs: WINDOW_MS, now });
  const share = recording(
    createRateBudget({ limit: browserShareLimit(LIMIT, SHARE), windowMs: WINDOW_MS, now }),
  );
  const dispatcher = createDispatcher({
    store,
    client: x,
    budget,
    ...(options.share === false ? {} : { browserBudget: share.budget }),
    decide: simpleDecide,
    logger: memoryLogger(),
  });
  let serial = 0;
  const enqueue = async (n: number, origin: ConversionOrigin) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = `${origin === 'browser' ? 'b' : 's'}-${serial++}`;
      ids.push(id);
      await store.enqueue({
        pixelId: 'o8z6j',
        account: 'acc1',
        conversion: conversion({ conversion_id: id }),
        now: Date.now(),
        dedupWindowMs: DEDUP_WINDOW_MS_DEFAULT,
        origin,
      });
      dispatcher.notify('o8z6j', 'acc1');
    }
    return ids;
  };
  /** When each conversion reached X (the first time). */
  const sentAt = (id: string): number | undefined => {
    let at: number | undefined;
    x.calls.forEach((call, i) => {
      if (at === undefined && call.conversions.some((c) => c.conversion_id === id)) {
        at = sends[i]?.at;
      }
    });
    return at;
  };
  return { store, x, sends, share, dispatcher, enqueue, sentAt };
}

/** The most browser events X received in any window of `WINDOW_MS` (by time of sending). */
function mostBrowserInAnyWindow(sends: { at: number; browser: number }[]): number {
  let most = 0;
  for (const start of sends) {
    const inWindow = sends
      .filter((s) => s.at >= start.at && s.at < start.at + WINDOW_MS)
      .reduce((n, s) => n + s.browser, 0);
    most = Math.max(most, inWindow);
  }
  return most;
}

const invalid: SendOutcome = {
  ok: false,
  kind: 'invalid',
  status: 400,
  errors: [{ code: 'INVALID_PARAMETER', message: 'bad' }],
};

describe('the browser share of X’s budget', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('never sends more browser events than the share in any window, and uses it', async () => {
    const { sends, share, dispatcher, enqueue, sentAt } = setup();
    await dispatcher.start();
    await enqueue(5000, 'browser');
    const server: { id: string; at: number }[] = [];
    for (let second = 0; second < 45; second++) {
      for (const id of await enqueue(3, 'server')) server.push({ id, at: Date.now() });
      await advance(1000);
    }
    const limit = browserShareLimit(LIMIT, SHARE);
    expect(mostBrowserInAnyWindow(sends)).toBeLessThanOrEqual(limit);
    // The share is used, not starved: 5 windows started in 45 s.
    expect(sends.reduce((n, s) => n + s.browser, 0)).toBe(5 * limit);
    // Every server row reached X within a flush interval (1 s) of its enqueue.
    for (const { id, at } of server) {
      expect((sentAt(id) ?? Number.POSITIVE_INFINITY) - at, id).toBeLessThanOrEqual(1000);
    }
    // The share was told when each request carrying browser events ended.
    const told = share.answered.filter(([key]) => key === browserKey('acc1'));
    expect(told.reduce((n, [, count]) => n + count, 0)).toBe(5 * limit);
  });

  it('sends a server row enqueued behind 10,000 browser rows in the next pass', async () => {
    const { x, dispatcher, enqueue, sentAt } = setup();
    await dispatcher.start();
    await enqueue(10_000, 'browser');
    await advance(1000);
    // The share (500 of the window's 1,000) is spent; X's budget has room left.
    expect(x.calls.map((c) => c.conversions.length)).toEqual([500]);
    const [id] = await enqueue(1, 'server');
    const at = Date.now();
    await advance(1000);
    expect(sentAt(id as string)).toBeDefined();
    expect((sentAt(id as string) as number) - at).toBeLessThanOrEqual(1000);
    expect(x.calls.at(-1)?.conversions.map((c) => c.conversion_id)).toEqual([id]);
  });

  it('without a share, browser rows take the whole budget (what the share prevents)', async () => {
    const { x, dispatcher, enqueue } = setup({ share: false });
    await dispatcher.start();
    await enqueue(10_000, 'browser');
    await advance(1000);
    expect(x.calls.reduce((n, c) => n + c.conversions.length, 0)).toBe(LIMIT);
  });

  it('server rows go first in a batch, browser rows fill it up to the share', async () => {
    const { x, dispatcher, enqueue } = setup();
    await dispatcher.start();
    await enqueue(400, 'browser');
    const server = await enqueue(300, 'server');
    await advance(1000);
    const first = x.calls[0]?.conversions.map((c) => c.conversion_id) ?? [];
    expect(first.slice(0, 300)).toEqual(server);
    expect(first).toHaveLength(500);
    expect(x.calls.reduce((n, c) => n + c.conversions.length, 0)).toBe(700);
  });

  it('the halves of a rejected browser batch take the share again: they wait when it is spent', async () => {
    const { x, sends, dispatcher, enqueue } = setup();
    x.queue.push(invalid);
    await dispatcher.start();
    await enqueue(500, 'browser');
    await advance(1000);
    // The 400'd request spent the window's share (X's budget has room for the
    // halves): the halves are put back, and go once the share has room again.
    expect(x.calls.map((c) => c.conversions.length)).toEqual([500]);
    expect(sends[0]?.at).toBe(T0);
    await advance(WINDOW_MS);
    expect(x.calls.map((c) => c.conversions.length)).toEqual([500, 500]);
    expect(sends[1]?.at).toBe(T0 + WINDOW_MS);
    expect(mostBrowserInAnyWindow(sends)).toBeLessThanOrEqual(500);
  });
});
