import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';

describe('backoffDelay', () => {
  it('doubles from 1 s without jitter and stops at the cap', () => {
    const options = { jitter: 0, maxMs: 10_000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, options))).toEqual([
      1000, 2000, 4000, 8000, 10000, 10000,
    ]);
  });

  it('spreads the default 50 % jitter with the injected randomness', () => {
    expect(backoffDelay(3, { random: () => 0 })).toBe(2000);
    expect(backoffDelay(3, { random: () => 0.5 })).toBe(3000);
    expect(backoffDelay(3, { random: () => 0.999999 })).toBe(4000);
  });

  it('full jitter can reach zero', () => {
    expect(backoffDelay(5, { jitter: 1, random: () => 0 })).toBe(0);
  });

  it('stays within [(1 − jitter) × capped, capped] (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (retry, random, jitter) => {
          const capped = Math.min(300_000, 1000 * 2 ** (retry - 1));
          const delay = backoffDelay(retry, { random: () => random, jitter });
          expect(delay).toBeGreaterThanOrEqual(Math.floor((1 - jitter) * capped));
          expect(delay).toBeLessThanOrEqual(capped);
        },
      ),
    );
  });
});
