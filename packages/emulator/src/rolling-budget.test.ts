import { describe, expect, it } from 'vitest';
import { createRollingBudget } from './rolling-budget.ts';

describe('rolling budget', () => {
  it('never lets more than the limit into any window, and says when room frees up', () => {
    const budget = createRollingBudget(10, 1000);
    expect(budget.take('a', 6, 0).ok).toBe(true);
    expect(budget.take('a', 4, 500).ok).toBe(true);
    const denied = budget.take('a', 1, 600);
    expect(denied).toMatchObject({
      ok: false,
      retryAt: 1000,
      status: { remaining: 0, resetAt: 1000 },
    });
    expect(budget.take('b', 10, 600).ok).toBe(true);
    expect(budget.take('a', 7, 1000)).toMatchObject({ ok: false, retryAt: 1500 });
    expect(budget.take('a', 6, 1000)).toMatchObject({ ok: true, status: { remaining: 0 } });
    expect(budget.peek('a', 1500)).toEqual({ limit: 10, remaining: 4, resetAt: 2000 });
  });

  it('stays exact over many entries (compaction)', () => {
    const budget = createRollingBudget(100, 100);
    for (let t = 0; t < 5000; t++) expect(budget.take('k', 1, t).ok).toBe(true);
    expect(budget.peek('k', 5000).remaining).toBe(100 - 99);
  });
});
