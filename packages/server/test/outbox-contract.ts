/**
 * Behaviour every OutboxStore must share; run against each implementation.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEDUP_WINDOW_MS_DEFAULT } from '../src/defaults.ts';
import { claimRefs, type OutboxEvent, type OutboxStore } from '../src/outbox.ts';
import type { CapiConversion } from '../src/x-types.ts';

const HOUR = 3_600_000;
export const T0 = Date.UTC(2026, 0, 1);

export function conversion(overrides: Partial<CapiConversion> = {}): CapiConversion {
  return {
    conversion_time: new Date(T0).toISOString(),
    event_id: 'o87ne',
    identifiers: [{ twclid: '23opevjt88psuo13lu8d020qkn' }],
    conversion_id: crypto.randomUUID(),
    ...overrides,
  };
}

export function describeOutboxContract(name: string, open: () => OutboxStore): void {
  describe(`${name}: OutboxStore contract`, () => {
    let store: OutboxStore;
    const put = (
      c: CapiConversion,
      now = T0,
      account = 'acc1',
      dedupWindowMs = DEDUP_WINDOW_MS_DEFAULT,
    ) => store.enqueue({ pixelId: 'o8z6j', account, conversion: c, now, dedupWindowMs });

    /** Claims every due event of acc1 at `now` (so it can be settled). */
    const claimAll = (now = T0, leaseMs = 1000, account = 'acc1') =>
      store.claim({ pixelId: 'o8z6j', account, limit: 500, now, leaseMs });
    const ref = (events: readonly OutboxEvent[], id: number) => {
      const found = claimRefs(events).find((r) => r.id === id);
      if (!found) throw new Error(`event ${id} was not claimed`);
      return found;
    };

    beforeEach(() => {
      store = open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('enqueues once per (event_id, conversion_id) inside the window, tw- and short forms alike', async () => {
      const c = conversion({ conversion_id: 'order-1' });
      const first = await put(c);
      const second = await put({ ...c, event_id: 'tw-o8z6j-o87ne' }, T0 + HOUR);
      expect(first.duplicate).toBe(false);
      expect(second).toEqual({ id: first.id, duplicate: true });
      expect((await store.stats(T0)).pending).toBe(1);
    });

    it('enqueues again after the window, and a different event with the same conversion_id', async () => {
      const c = conversion({ conversion_id: 'order-2' });
      await put(c, T0, 'acc1', 48 * HOUR);
      expect((await put(c, T0 + 48 * HOUR, 'acc1', 48 * HOUR)).duplicate).toBe(false);
      expect((await put({ ...c, event_id: 'o87nf' }, T0 + 49 * HOUR)).duplicate).toBe(false);
    });

    it('never deduplicates events without a conversion_id', async () => {
      const { conversion_id: _drop, ...c } = conversion();
      await put(c);
      expect((await put(c)).duplicate).toBe(false);
      expect((await store.stats(T0)).pending).toBe(2);
    });

    it('claims due events oldest first per pixel/account, with a lease', async () => {
      const a = await put(conversion(), T0);
      const b = await put(conversion(), T0 + 1);
      await put(conversion(), T0, 'acc2');
      expect(await store.ready(T0 + 1)).toEqual(
        expect.arrayContaining([
          { pixelId: 'o8z6j', account: 'acc1', due: 2, since: T0 },
          { pixelId: 'o8z6j', account: 'acc2', due: 1, since: T0 },
        ]),
      );
      const claimed = await store.claim({
        pixelId: 'o8z6j',
        account: 'acc1',
        limit: 500,
        now: T0 + 1,
        leaseMs: 1000,
      });
      expect(claimed.map((e) => e.id)).toEqual([a.id, b.id]);
      expect(claimed[0]?.state).toBe('in_flight');
      // Held by the lease...
      expect(
        await store.claim({
          pixelId: 'o8z6j',
          account: 'acc1',
          limit: 500,
          now: T0 + 2,
          leaseMs: 1000,
        }),
      ).toEqual([]);
      // ...and claimable again once it expired (the claimer died).
      const again = await store.claim({
        pixelId: 'o8z6j',
        account: 'acc1',
        limit: 1,
        now: T0 + 1001,
        leaseMs: 1000,
      });
      expect(again.map((e) => e.id)).toEqual([a.id]);
    });

    it('settles: delivered, rescheduled with attempts and error, dead with reason', async () => {
      const a = await put(conversion());
      const b = await put(conversion());
      const c = await put(conversion());
      const held = await store.claim({
        pixelId: 'o8z6j',
        account: 'acc1',
        limit: 3,
        now: T0,
        leaseMs: 1000,
      });
      expect(await store.markDelivered([ref(held, a.id)], T0)).toEqual({ settled: 1, stale: [] });
      await store.reschedule([ref(held, b.id)], {
        now: T0,
        nextAttemptAt: T0 + 5000,
        error: 'HTTP 503',
        countAttempt: true,
      });
      await store.markDead(
        [{ ...ref(held, c.id), reason: 'hashed_email (abc) is not a valid SHA-256 hash' }],
        T0,
      );
      expect(await store.nextDueAt()).toBe(T0 + 5000);
      expect(await store.ready(T0 + 4999)).toEqual([]);
      const [retried] = await store.claim({
        pixelId: 'o8z6j',
        account: 'acc1',
        limit: 5,
        now: T0 + 5000,
        leaseMs: 1,
      });
      expect(retried).toMatchObject({ id: b.id, attempts: 1, lastError: 'HTTP 503' });
      const dead = await store.deadLetters();
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({
        id: c.id,
        state: 'dead',
        lastError: 'hashed_email (abc) is not a valid SHA-256 hash',
      });
      expect(await store.stats(T0 + 6000)).toEqual({
        pending: 0,
        inFlight: 1,
        delivered: 1,
        dead: 1,
        oldestPendingAgeMs: 6000,
        depthByAccount: { acc1: 1 },
        oldestPendingAgeMsByAccount: { acc1: 6000 },
      });
    });

    it('reports depth and the oldest undelivered age per account; delivered and dead events leave them', async () => {
      expect(await store.stats(T0)).toMatchObject({
        oldestPendingAgeMs: null,
        depthByAccount: {},
        oldestPendingAgeMsByAccount: {},
      });
      const a1 = await put(conversion(), T0, 'acc1');
      await put(conversion(), T0 + 2000, 'acc1');
      const b1 = await put(conversion(), T0 + 5000, 'acc2');
      await put(conversion(), T0 + 7000, 'acc2');
      // An in-flight event is still undelivered: it keeps its account's age.
      const heldB = await store.claim({
        pixelId: 'o8z6j',
        account: 'acc2',
        limit: 1,
        now: T0 + 8000,
        leaseMs: 60_000,
      });
      expect(await store.stats(T0 + 10_000)).toMatchObject({
        oldestPendingAgeMs: 10_000,
        depthByAccount: { acc1: 2, acc2: 2 },
        oldestPendingAgeMsByAccount: { acc1: 10_000, acc2: 5000 },
      });
      const heldA = await store.claim({
        pixelId: 'o8z6j',
        account: 'acc1',
        limit: 1,
        now: T0 + 10_000,
        leaseMs: 60_000,
      });
      await store.markDelivered([ref(heldA, a1.id)], T0 + 10_000);
      await store.markDead([{ ...ref(heldB, b1.id), reason: 'HTTP 400' }], T0 + 10_000);
      const after = await store.stats(T0 + 10_000);
      expect(after.depthByAccount).toEqual({ acc1: 1, acc2: 1 });
      expect(after.oldestPendingAgeMsByAccount).toEqual({ acc1: 8000, acc2: 3000 });
      expect(after.oldestPendingAgeMs).toBe(8000);
    });

    it('a pause reschedule does not count an attempt', async () => {
      const a = await put(conversion());
      const held = await claimAll();
      await store.reschedule([ref(held, a.id)], {
        now: T0,
        nextAttemptAt: T0 + 1,
        countAttempt: false,
      });
      const [event] = await store.claim({
        pixelId: 'o8z6j',
        account: 'acc1',
        limit: 1,
        now: T0 + 1,
        leaseMs: 1000,
      });
      expect(event?.attempts).toBe(0);
    });

    it('recovers only expired claims: a live lease (another process on the file) is left alone', async () => {
      await put(conversion());
      await store.claim({ pixelId: 'o8z6j', account: 'acc1', limit: 1, now: T0, leaseMs: 60_000 });
      expect(await store.recoverInFlight(T0 + 10)).toBe(0);
      expect(await store.ready(T0 + 10)).toEqual([]);
      expect((await store.stats(T0 + 10)).inFlight).toBe(1);
      // Once the lease has run out, its holder is presumed dead.
      expect(await store.recoverInFlight(T0 + 60_000)).toBe(1);
      expect(await store.ready(T0 + 60_000)).toEqual([
        { pixelId: 'o8z6j', account: 'acc1', due: 1, since: T0 },
      ]);
    });

    it('gives every claim its own random token and lease', async () => {
      await put(conversion());
      await put(conversion());
      const first = await store.claim({
        pixelId: 'o8z6j',
        account: 'acc1',
        limit: 1,
        now: T0,
        leaseMs: 1000,
      });
      const second = await store.claim({
        pixelId: 'o8z6j',
        account: 'acc1',
        limit: 1,
        now: T0 + 5,
        leaseMs: 2000,
      });
      expect(first[0]?.claim?.leaseUntil).toBe(T0 + 1000);
      expect(second[0]?.claim?.leaseUntil).toBe(T0 + 2005);
      expect(first[0]?.claim?.token).toMatch(/^[0-9a-f-]{32,}$/);
      expect(first[0]?.claim?.token).not.toBe(second[0]?.claim?.token);
    });

    it('settles only with the current token: a stale or wrong token is a reported no-op', async () => {
      const a = await put(conversion());
      const mine = await claimAll(T0, 1000);
      // The lease ran out and another worker took the event over.
      const theirs = await claimAll(T0 + 1000, 1000);
      expect(theirs.map((e) => e.id)).toEqual([a.id]);
      expect(await store.markDelivered(claimRefs(mine), T0 + 1001)).toEqual({
        settled: 0,
        stale: [a.id],
      });
      expect(
        await store.reschedule(claimRefs(mine), {
          now: T0 + 1001,
          nextAttemptAt: T0 + 9999,
          countAttempt: true,
        }),
      ).toEqual({ settled: 0, stale: [a.id] });
      expect(await store.markDead([{ ...ref(mine, a.id), reason: 'late' }], T0 + 1001)).toEqual({
        settled: 0,
        stale: [a.id],
      });
      expect(await store.markDelivered([{ id: a.id, token: 'guessed' }], T0 + 1001)).toEqual({
        settled: 0,
        stale: [a.id],
      });
      expect(await store.stats(T0 + 1001)).toMatchObject({ inFlight: 1, delivered: 0, dead: 0 });
      // The current holder settles it; settling twice is stale too.
      expect(await store.markDelivered(claimRefs(theirs), T0 + 1002)).toEqual({
        settled: 1,
        stale: [],
      });
      expect(await store.markDelivered(claimRefs(theirs), T0 + 1003)).toEqual({
        settled: 0,
        stale: [a.id],
      });
      expect(await store.stats(T0 + 1003)).toMatchObject({ inFlight: 0, delivered: 1 });
    });

    it('a token of a recovered claim no longer settles', async () => {
      const a = await put(conversion());
      const mine = await claimAll(T0, 1000);
      expect(await store.recoverInFlight(T0 + 1000)).toBe(1);
      expect(await store.markDelivered(claimRefs(mine), T0 + 1001)).toEqual({
        settled: 0,
        stale: [a.id],
      });
      expect((await store.stats(T0 + 1001)).pending).toBe(1);
    });

    it("an expired claim nobody took over is still its holder's to settle", async () => {
      await put(conversion());
      const mine = await claimAll(T0, 1000);
      expect(await store.markDelivered(claimRefs(mine), T0 + 5000)).toEqual({
        settled: 1,
        stale: [],
      });
    });

    it('requeues dead letters and purges old delivered events', async () => {
      const a = await put(conversion());
      const b = await put(conversion());
      const held = await claimAll();
      await store.markDead([{ ...ref(held, a.id), reason: 'x' }], T0);
      await store.markDelivered([ref(held, b.id)], T0);
      expect(await store.requeueDead({ now: T0 + 1 })).toBe(1);
      expect((await store.stats(T0 + 1)).dead).toBe(0);
      const requeued = await store.claim({
        pixelId: 'o8z6j',
        account: 'acc1',
        limit: 5,
        now: T0 + 1,
        leaseMs: 1,
      });
      expect(requeued.map((e) => [e.id, e.attempts])).toEqual([[a.id, 0]]);
      await store.markDelivered(claimRefs(requeued), T0 + 1);
      expect(await store.purgeDelivered({ now: T0 + 10, olderThanMs: 10 })).toBe(0);
      expect(await store.purgeDelivered({ now: T0 + 12, olderThanMs: 10 })).toBe(2);
      expect((await store.stats(T0 + 12)).delivered).toBe(0);
    });

    it('stores the built conversion as given (only hashes), and returns copies', async () => {
      const c = conversion({
        identifiers: [
          { hashed_email: 'd360d510a224510f373931ce2d6215a799f5a9c1cef221b0149b6b6b50cced62' },
        ],
        value: '20.00',
      });
      await put(c);
      const [event] = await store.claim({
        pixelId: 'o8z6j',
        account: 'acc1',
        limit: 1,
        now: T0,
        leaseMs: 1,
      });
      expect(event?.conversion).toEqual(c);
      expect(event?.conversion).not.toBe(c);
    });
  });
}

/**
 * Delivered counts (src/delivered-counts.ts), for the stores that keep them
 * (memory, SQLite): each conversion X acknowledged counts once, in its tag and
 * hour of conversion time, and the counts outlive purgeDelivered.
 */
export function describeDeliveredCountsContract(name: string, open: () => OutboxStore): void {
  describe(`${name}: delivered counts`, () => {
    it('counts acknowledged conversions per tag and conversion hour, once, and keeps them after a purge', async () => {
      const store = open();
      try {
        const put = (c: CapiConversion) =>
          store.enqueue({
            pixelId: 'o8z6j',
            account: 'acc1',
            conversion: c,
            now: T0,
            dedupWindowMs: DEDUP_WINDOW_MS_DEFAULT,
          });
        const at = (ms: number) => new Date(ms).toISOString();
        await put(conversion({ event_id: 'o87ne' }));
        await put(
          conversion({ event_id: 'tw-o8z6j-o87ne', conversion_time: at(T0 + 59 * 60_000) }),
        );
        await put(conversion({ event_id: 'o87ne', conversion_time: at(T0 + HOUR) }));
        const dead = await put(conversion({ event_id: 'o87nf' }));
        const held = await store.claim({
          pixelId: 'o8z6j',
          account: 'acc1',
          limit: 10,
          now: T0,
          leaseMs: 60_000,
        });
        const refs = claimRefs(held);
        const deadRef = refs.find((r) => r.id === dead.id);
        if (!deadRef) throw new Error('the dead event was not claimed');
        await store.markDead([{ ...deadRef, reason: 'refused' }], T0);
        const delivered = refs.filter((r) => r.id !== dead.id);
        await store.markDelivered(delivered, T0 + 5000);
        // Settling the same claims again is stale: nothing is counted twice.
        await store.markDelivered(delivered, T0 + 6000);
        const second = {
          pixelId: 'o8z6j',
          eventId: 'o87ne',
          hour: T0 + HOUR,
          count: 1,
          firstDeliveredAt: T0 + 5000,
          lastDeliveredAt: T0 + 5000,
        };
        expect(await store.deliveredCounts?.()).toEqual([
          { ...second, hour: T0, count: 2 },
          second,
        ]);
        expect(await store.purgeDelivered({ now: T0 + 10 * HOUR, olderThanMs: HOUR })).toBe(3);
        expect(await store.deliveredCounts?.({ since: T0 + HOUR, pixelId: 'o8z6j' })).toEqual([
          second,
        ]);
        expect(await store.deliveredCounts?.({ pixelId: 'other' })).toEqual([]);
      } finally {
        await store.close();
      }
    });
  });
}
