/**
 * X's budget shared through Postgres by several instances (each store its own
 * pool): 60,000 events / rolling 15 min per account in production
 * (docs/x-api.md §2), scaled down here; the clock is passed in (fake time).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { freshSchema, pgUrl } from '../../test/postgres/db.ts';
import type { RateBudget } from '../x-types.ts';
import { type PostgresOutbox, postgresOutbox } from './outbox.ts';

let open: PostgresOutbox[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

/** `count` budgets on one schema, each through its own store and pool, on one fake clock. */
function sharedBudgets(count: number, limit: number, windowMs: number) {
  const clock = { t: Date.UTC(2026, 0, 1) };
  const schema = freshSchema('b');
  const budgets: RateBudget[] = [];
  for (let i = 0; i < count; i++) {
    const store = postgresOutbox({ connectionString: pgUrl(), schema, maxConnections: 4 });
    open.push(store);
    budgets.push(store.rateBudget({ limit, windowMs, now: () => clock.t }));
  }
  return { clock, budgets };
}

describe('postgres rate budget shared by instances', () => {
  it('tells its limits through the store, so the kit can scale the browser share from them', () => {
    const { budgets } = sharedBudgets(1, 40, 8000);
    expect(budgets[0]?.limits).toEqual({ limit: 40, windowMs: 8000 });
  });

  it('never grants more than the limit to concurrent takers, and exactly the limit', async () => {
    const { budgets } = sharedBudgets(3, 100, 10_000);
    const grants = await Promise.all(
      Array.from({ length: 45 }, (_, i) => (budgets[i % 3] as RateBudget).take('acc1', 7)),
    );
    expect(grants.reduce((a, b) => a + b, 0)).toBe(100);
    expect(await (budgets[0] as RateBudget).take('acc1', 1)).toBe(0);
    // Accounts are budgeted apart.
    expect(await (budgets[1] as RateBudget).take('acc2', 5)).toBe(5);
  });

  it('frees room as the window rolls, and says when', async () => {
    const { clock, budgets } = sharedBudgets(2, 10, 10_000);
    const [a, b] = budgets as [RateBudget, RateBudget];
    const t0 = clock.t;
    expect(await a.take('acc1', 6)).toBe(6);
    clock.t = t0 + 4000;
    expect(await b.take('acc1', 6)).toBe(4);
    expect(await a.nextFreeAt('acc1')).toBe(t0 + 10_000);
    clock.t = t0 + 9999;
    expect(await b.take('acc1', 1)).toBe(0);
    clock.t = t0 + 10_000;
    expect(await b.take('acc1', 10)).toBe(6);
    expect(await a.nextFreeAt('acc1')).toBe(t0 + 14_000);
  });

  it("gives back this instance's unsent events", async () => {
    const { budgets } = sharedBudgets(2, 10, 10_000);
    const [a, b] = budgets as [RateBudget, RateBudget];
    expect(await a.take('acc1', 10)).toBe(10);
    await a.refund('acc1', 3);
    expect(await b.take('acc1', 10)).toBe(3);
    // b's refund cannot give back a's spends.
    await b.refund('acc1', 10);
    expect(await a.take('acc1', 10)).toBe(3);
  });

  it('answered: events count from the end of their request, for every instance', async () => {
    const { clock, budgets } = sharedBudgets(2, 10, 1000);
    const [a, b] = budgets as [RateBudget, RateBudget];
    const t0 = clock.t;
    expect(await a.take('acc1', 10)).toBe(10); // taken at t0
    clock.t = t0 + 300;
    await a.answered?.('acc1', 10); // the request ended 300 ms later
    clock.t = t0 + 1000;
    expect(await b.take('acc1', 1)).toBe(0); // still inside X's window
    expect(await b.nextFreeAt('acc1')).toBe(t0 + 1300);
    clock.t = t0 + 1300;
    expect(await b.take('acc1', 10)).toBe(10);
  });

  it("shares X's pause: after a 429 on one instance, every instance waits for the reset", async () => {
    const { clock, budgets } = sharedBudgets(3, 100, 10_000);
    const [a, b, c] = budgets as [RateBudget, RateBudget, RateBudget];
    const resetAt = clock.t + 60_000;
    await a.update('acc1', { remaining: 0, resetAt });
    expect(await b.take('acc1', 5)).toBe(0);
    expect(await c.nextFreeAt('acc1')).toBe(resetAt);
    // An earlier reset reported later does not shorten the pause.
    await c.update('acc1', { remaining: 0, resetAt: resetAt - 30_000 });
    expect(await b.nextFreeAt('acc1')).toBe(resetAt);
    clock.t = resetAt;
    expect(await b.take('acc1', 5)).toBe(5);
  });
});
