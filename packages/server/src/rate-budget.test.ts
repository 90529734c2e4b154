import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteOutbox } from './outbox-sqlite.ts';
import { createRateBudget, type RateBudgetOptions } from './rate-budget.ts';
import type { RateBudget } from './x-types.ts';

const dir = mkdtempSync(join(tmpdir(), 'twclid-budget-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
/** The SQLite budget: the same rules, kept in an outbox file (one file per budget). */
function sqliteBudget(options: RateBudgetOptions = {}): RateBudget {
  // A file for the few example tests; the property test's many budgets stay in memory.
  const path =
    options.limit !== undefined && options.limit <= 60 ? ':memory:' : join(dir, `b${files++}.db`);
  const store = sqliteOutbox({ path });
  // No in-flight allowance here: the shared cases check the window itself.
  return (store.rateBudget as (o: RateBudgetOptions) => RateBudget)({ inFlightMs: 0, ...options });
}

describe('store.rateBudget (SQLite file): a request in flight', () => {
  it('counts a spend from the latest moment X may receive it until its request ends', async () => {
    const c = clock(0);
    const budget = sqliteBudget({ limit: 10, windowMs: 1000, now: c.now, inFlightMs: 500 });
    const other = sqliteBudget({ limit: 10, windowMs: 1000, now: c.now, inFlightMs: 500 });
    expect(await budget.take('a', 10)).toBe(10);
    // The process taking it was killed mid-request: its spend holds until 500 + 1000.
    expect(await other.nextFreeAt('a')).toBe(0); // another file: independent
    c.t = 1000;
    expect(await budget.take('a', 1)).toBe(0);
    expect(await budget.nextFreeAt('a')).toBe(1500);
    // A request that ends counts from its end instead.
    c.t = 1500;
    expect(await budget.take('a', 10)).toBe(10);
    c.t = 1600;
    await budget.answered?.('a', 10);
    c.t = 2599;
    expect(await budget.take('a', 1)).toBe(0);
    c.t = 2600;
    expect(await budget.take('a', 10)).toBe(10);
  });
});

function clock(start = 1_700_000_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe.each([
  ['createRateBudget', createRateBudget],
  ['store.rateBudget (SQLite file)', sqliteBudget],
] as const)('%s', (_name, createRateBudget) => {
  it('defaults to 60,000 events per rolling 15 minutes (docs/x-api.md §2)', async () => {
    const c = clock();
    const budget = createRateBudget({ now: c.now });
    expect(await budget.take('a', 70_000)).toBe(60_000);
    expect(await budget.take('a', 1)).toBe(0);
    c.t += 15 * 60_000 - 1;
    expect(await budget.take('a', 1)).toBe(0);
    c.t += 1;
    expect(await budget.take('a', 1)).toBe(1);
  });

  it('tells its limits, so the kit can scale the browser share from them', () => {
    expect(createRateBudget({ limit: 40, windowMs: 8000 }).limits).toEqual({
      limit: 40,
      windowMs: 8000,
    });
    expect(createRateBudget().limits).toEqual({ limit: 60_000, windowMs: 15 * 60_000 });
  });

  it('rolls: events free up exactly windowMs after they were spent', async () => {
    const c = clock(0);
    const budget = createRateBudget({ limit: 10, windowMs: 1000, now: c.now });
    expect(await budget.take('a', 4)).toBe(4); // t=0
    c.t = 400;
    expect(await budget.take('a', 6)).toBe(6); // t=400, full
    expect(await budget.nextFreeAt('a')).toBe(1000);
    c.t = 999;
    expect(await budget.take('a', 10)).toBe(0);
    c.t = 1000;
    expect(await budget.take('a', 10)).toBe(4); // the 4 from t=0 are free again
    expect(await budget.nextFreeAt('a')).toBe(1400);
  });

  it('is per account', async () => {
    const c = clock();
    const budget = createRateBudget({ limit: 5, now: c.now });
    expect(await budget.take('a', 5)).toBe(5);
    expect(await budget.take('b', 5)).toBe(5);
    expect(await budget.take('a', 1)).toBe(0);
  });

  it('says "now" when events are free', async () => {
    const c = clock();
    const budget = createRateBudget({ limit: 5, now: c.now });
    expect(await budget.nextFreeAt('a')).toBe(c.t);
    await budget.take('a', 4);
    expect(await budget.nextFreeAt('a')).toBe(c.t);
  });

  it('refund gives back events taken but not sent', async () => {
    const c = clock();
    const budget = createRateBudget({ limit: 10, now: c.now });
    expect(await budget.take('a', 10)).toBe(10);
    await budget.refund('a', 3);
    expect(await budget.take('a', 5)).toBe(3);
    await budget.refund('a', 100); // more than was ever taken: clamps at zero
    expect(await budget.take('a', 20)).toBe(10);
  });

  it('obeys X: remaining 0 with a reset blocks until the reset', async () => {
    const c = clock(0);
    const budget = createRateBudget({ limit: 100, windowMs: 1000, now: c.now });
    await budget.update('a', { remaining: 0, resetAt: 5000, account: true });
    expect(await budget.take('a', 1)).toBe(0);
    expect(await budget.nextFreeAt('a')).toBe(5000);
    c.t = 4999;
    expect(await budget.take('a', 1)).toBe(0);
    c.t = 5000;
    expect(await budget.take('a', 1)).toBe(1);
  });

  it('ignores headers that still allow sending', async () => {
    const c = clock(0);
    const budget = createRateBudget({ limit: 100, now: c.now });
    await budget.update('a', { remaining: 5, resetAt: 5000 });
    await budget.update('a', { remaining: 0 }); // no reset: nothing to wait for
    expect(await budget.take('a', 10)).toBe(10);
  });

  it('answered: events count from the end of their request, when X may have received them', async () => {
    const c = clock(0);
    const budget = createRateBudget({ limit: 10, windowMs: 1000, now: c.now });
    expect(await budget.take('a', 10)).toBe(10); // taken at t=0
    c.t = 300;
    await budget.answered?.('a', 10); // the request ended at t=300
    c.t = 1000;
    expect(await budget.take('a', 1)).toBe(0); // still inside X's window
    expect(await budget.nextFreeAt('a')).toBe(1300);
    c.t = 1300;
    expect(await budget.take('a', 10)).toBe(10);
  });

  it('rejects a nonsensical configuration', async () => {
    expect(() => createRateBudget({ limit: 0 })).toThrow(RangeError);
    expect(() => createRateBudget({ windowMs: 0 })).toThrow(RangeError);
  });

  it('never exceeds the limit in any window, and frees what it promised (property)', async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 700 }) }),
      fc.record({ kind: fc.constant('take' as const), n: fc.integer({ min: 0, max: 40 }) }),
      fc.record({
        kind: fc.constant('takeThenRefund' as const),
        n: fc.integer({ min: 0, max: 40 }),
        back: fc.integer({ min: 0, max: 40 }),
      }),
      fc.record({ kind: fc.constant('block' as const), ms: fc.integer({ min: 1, max: 2000 }) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 1500 }),
        fc.array(op, { maxLength: 200 }),
        async (limit, windowMs, ops) => {
          const c = clock(0);
          const budget = createRateBudget({ limit, windowMs, now: c.now });
          const ledger: { at: number; count: number }[] = [];
          let blockedUntil = 0;
          for (const o of ops) {
            if (o.kind === 'advance') c.t += o.ms;
            else if (o.kind === 'block') {
              blockedUntil = Math.max(blockedUntil, c.t + o.ms);
              await budget.update('a', { remaining: 0, resetAt: c.t + o.ms });
            } else {
              const got = await budget.take('a', o.n);
              expect(got).toBeGreaterThanOrEqual(0);
              expect(got).toBeLessThanOrEqual(o.n);
              if (c.t < blockedUntil) expect(got).toBe(0);
              ledger.push({ at: c.t, count: got });
              const inWindow = () =>
                ledger.filter((s) => s.at > c.t - windowMs).reduce((sum, s) => sum + s.count, 0);
              // Every window ending now holds at most \`limit\` events.
              expect(inWindow()).toBeLessThanOrEqual(limit);
              // Short only when truly out of budget (keeps utilisation high),
              // and then nextFreeAt is in the future.
              if (got < o.n && c.t >= blockedUntil) {
                expect(inWindow()).toBe(limit);
                expect(await budget.nextFreeAt('a')).toBeGreaterThan(c.t);
              }
              const back = o.kind === 'takeThenRefund' ? Math.min(o.back, got) : 0;
              if (back > 0) {
                await budget.refund('a', back);
                (ledger[ledger.length - 1] as { count: number }).count -= back;
              }
            }
          }
          // At nextFreeAt at least one event really is free.
          const free = await budget.nextFreeAt('a');
          expect(free).toBeGreaterThanOrEqual(c.t);
          c.t = free;
          expect(await budget.take('a', 1)).toBe(1);
        },
      ),
      { numRuns: createRateBudget === sqliteBudget ? 50 : 300 },
    );
  }, 60_000);
});
