/**
 * Origins: behaviour every OutboxStore shares about who vouched for a
 * conversion (outbox.ts `ConversionOrigin`); run against each implementation
 * next to the contract of outbox-contract.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEDUP_WINDOW_MS_DEFAULT } from '../src/defaults.ts';
import {
  type ClaimInput,
  type ConversionOrigin,
  claimRefs,
  type OutboxEvent,
  type OutboxStore,
} from '../src/outbox.ts';
import type { CapiConversion } from '../src/x-types.ts';
import { conversion, T0 } from './outbox-contract.ts';

/** Reads the stored conversion of event `id` whatever its state (the store's own file or table). */
export type PeekConversion = (store: OutboxStore, id: number) => Promise<unknown>;

/**
 * Origins (docs/product.md "Safety (the server)"): a server copy outranks a
 * pending browser copy with the same key, a browser copy never displaces
 * anything, server rows are claimed first, and delivered rows keep no
 * identifiers.
 */
export function describeOriginContract(
  name: string,
  open: () => OutboxStore,
  peek?: PeekConversion,
): void {
  describe(`${name}: origins`, () => {
    let store: OutboxStore;
    beforeEach(() => {
      store = open();
    });
    afterEach(async () => {
      await store.close();
    });
    const put = (c: CapiConversion, origin?: ConversionOrigin, now = T0) =>
      store.enqueue({
        pixelId: 'o8z6j',
        account: 'acc1',
        conversion: c,
        now,
        dedupWindowMs: DEDUP_WINDOW_MS_DEFAULT,
        ...(origin ? { origin } : {}),
      });
    const claim = (overrides: Partial<ClaimInput> = {}) =>
      store.claim({
        pixelId: 'o8z6j',
        account: 'acc1',
        limit: 500,
        now: T0 + 10,
        leaseMs: 60_000,
        ...overrides,
      });
    const serverCopy = (id: string) =>
      conversion({
        conversion_id: id,
        value: '500.00',
        identifiers: [
          { hashed_email: 'd360d510a224510f373931ce2d6215a799f5a9c1cef221b0149b6b6b50cced62' },
        ],
      });
    const junk = (id: string) => conversion({ conversion_id: id, value: '0.01' });

    it('a server copy takes over a pending browser row with its key, in place', async () => {
      const browser = await put(junk('order-1003'), 'browser');
      const server = await put(serverCopy('order-1003'), undefined, T0 + 1);
      expect(server).toEqual({ id: browser.id, duplicate: false });
      expect(await store.stats(T0 + 1)).toMatchObject({ pending: 1, inFlight: 0 });
      const [event] = await claim();
      expect(event).toMatchObject({ id: browser.id, origin: 'server' });
      expect(event?.conversion.value).toBe('500.00');
      expect(event?.conversion.identifiers).toEqual(serverCopy('x').identifiers);
      // Now a server row: another server copy is its duplicate.
      expect(await put(serverCopy('order-1003'), 'server', T0 + 20)).toEqual({
        id: browser.id,
        duplicate: true,
      });
    });

    it('a server copy never takes over a browser row in flight or delivered: both rows are kept', async () => {
      const inFlight = await put(junk('order-1'), 'browser');
      const delivered = await put(junk('order-2'), 'browser');
      const held = await claim();
      expect(held.map((e) => e.origin)).toEqual(['browser', 'browser']);
      const deliveredRef = claimRefs(held).filter((r) => r.id === delivered.id);
      expect((await store.markDelivered(deliveredRef, T0 + 11)).settled).toBe(1);

      const s1 = await put(serverCopy('order-1'), 'server', T0 + 12);
      const s2 = await put(serverCopy('order-2'), 'server', T0 + 12);
      expect(s1.duplicate).toBe(false);
      expect(s2.duplicate).toBe(false);
      expect(new Set([s1.id, s2.id, inFlight.id, delivered.id]).size).toBe(4);
      expect(await store.stats(T0 + 12)).toMatchObject({ pending: 2, inFlight: 1, delivered: 1 });
      // The browser row in flight still settles with its own claim.
      const inFlightRef = claimRefs(held).filter((r) => r.id === inFlight.id);
      expect((await store.markDelivered(inFlightRef, T0 + 13)).settled).toBe(1);
      const servers = await claim({ now: T0 + 13 });
      expect(servers.map((e) => [e.id, e.origin, e.conversion.value])).toEqual([
        [s1.id, 'server', '500.00'],
        [s2.id, 'server', '500.00'],
      ]);
      // Later copies of either origin are duplicates of the server row.
      expect(await put(serverCopy('order-1'), 'server', T0 + 14)).toEqual({
        id: s1.id,
        duplicate: true,
      });
      expect(await put(junk('order-2'), 'browser', T0 + 14)).toEqual({
        id: s2.id,
        duplicate: true,
      });
    });

    it('a browser copy is a duplicate of any row with its key, and changes nothing', async () => {
      const server = await put(serverCopy('order-7'));
      const browser = await put(junk('order-7'), 'browser', T0 + 1);
      expect(browser).toEqual({ id: server.id, duplicate: true });
      const first = await put(junk('b-1'), 'browser');
      expect(await put(junk('b-1'), 'browser', T0 + 1)).toEqual({
        id: first.id,
        duplicate: true,
      });
      const events = await claim();
      expect(events.map((e) => [e.id, e.origin])).toEqual([
        [server.id, 'server'],
        [first.id, 'browser'],
      ]);
      expect(events[0]?.conversion.value).toBe('500.00');
      // Outside the window the key is free again.
      const later = T0 + DEDUP_WINDOW_MS_DEFAULT + 1;
      expect((await put(junk('order-7'), 'browser', later)).duplicate).toBe(false);
    });

    it('without a conversion_id nothing is deduplicated or taken over', async () => {
      const { conversion_id: _a, ...bare } = junk('x');
      const b = await put(bare, 'browser');
      const s = await put(bare, 'server');
      expect(s.duplicate).toBe(false);
      expect(s.id).not.toBe(b.id);
      expect((await claim()).map((e) => [e.id, e.origin])).toEqual([
        [s.id, 'server'],
        [b.id, 'browser'],
      ]);
    });

    it('claims server rows before browser rows, each oldest first', async () => {
      const b1 = await put(junk('b1'), 'browser', T0);
      const s1 = await put(serverCopy('s1'), 'server', T0 + 1);
      const b2 = await put(junk('b2'), 'browser', T0 + 2);
      const s2 = await put(serverCopy('s2'), undefined, T0 + 3);
      const first = await claim({ limit: 3 });
      expect(first.map((e) => e.id)).toEqual([s1.id, s2.id, b1.id]);
      expect(first.map((e) => e.origin)).toEqual(['server', 'server', 'browser']);
      expect((await claim({ now: T0 + 11 })).map((e) => e.id)).toEqual([b2.id]);
    });

    it('claims at most browserLimit browser rows; server rows are not limited by it', async () => {
      const b = [];
      for (let i = 0; i < 3; i++) b.push(await put(junk(`b${i}`), 'browser', T0 + i));
      const s = await put(serverCopy('s'), 'server', T0 + 5);
      const first = await claim({ browserLimit: 1 });
      expect(first.map((e) => e.id)).toEqual([s.id, b[0]?.id]);
      expect(await claim({ browserLimit: 0, now: T0 + 11 })).toEqual([]);
      expect((await claim({ now: T0 + 12 })).map((e) => e.id)).toEqual([b[1]?.id, b[2]?.id]);
    });

    it('counts undelivered rows (pending and in flight), of all origins or of one', async () => {
      expect(await store.countUndelivered?.({})).toBe(0);
      await put(junk('b1'), 'browser');
      await put(junk('b2'), 'browser');
      await put(junk('b3'), 'browser');
      await put(serverCopy('s1'), 'server');
      await put(serverCopy('s2'));
      const held = await claim({ limit: 3, browserLimit: 1 });
      expect(held).toHaveLength(3);
      // One server row delivered, one browser row dead: neither counts any more.
      const server = held.find((e) => e.origin === 'server') as OutboxEvent;
      const browser = held.find((e) => e.origin === 'browser') as OutboxEvent;
      await store.markDelivered(claimRefs([server]), T0 + 11);
      await store.markDead(
        [{ id: browser.id, token: browser.claim?.token ?? '', reason: 'x' }],
        T0 + 11,
      );
      expect(await store.countUndelivered?.({})).toBe(3);
      expect(await store.countUndelivered?.()).toBe(3);
      expect(await store.countUndelivered?.({ origin: 'browser' })).toBe(2);
      expect(await store.countUndelivered?.({ origin: 'server' })).toBe(1);
    });

    it.skipIf(!peek)(
      'a delivered row keeps no identifiers, only what dedup and the counts need',
      async () => {
        const c = {
          ...serverCopy('order-9'),
          identifiers: [
            { twclid: '23opevjt88psuo13lu8d020qkn' },
            { ip_address: '203.0.113.7' },
            { user_agent: 'Mozilla/5.0' },
          ],
          price_currency: 'EUR',
          number_items: 2,
          contents: [{ content_id: 'sku-1', num_items: 2 }],
        } satisfies CapiConversion;
        const { id } = await put(c);
        const pending = await put({ ...c, conversion_id: 'order-10' });
        expect(await peek?.(store, id)).toEqual(c);
        const held = await claim();
        await store.markDelivered(
          claimRefs(held).filter((r) => r.id === id),
          T0 + 11,
        );
        const { identifiers: _gone, ...kept } = c;
        expect(await peek?.(store, id)).toEqual(kept);
        // Undelivered rows keep theirs (a retry needs them); dedup still holds.
        expect(await peek?.(store, pending.id)).toMatchObject({ identifiers: c.identifiers });
        expect(await put(c, 'server', T0 + 12)).toEqual({ id, duplicate: true });
        expect(await put(c, 'browser', T0 + 12)).toEqual({ id, duplicate: true });
      },
    );
  });
}
