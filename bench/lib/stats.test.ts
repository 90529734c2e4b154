import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxInAnyWindow, median, percentile, ratio, summarize } from './stats.ts';

describe('percentile (nearest rank)', () => {
  // Worked example of the nearest-rank method (NIST/Wikipedia "Percentile",
  // nearest-rank section): for 15, 20, 35, 40, 50 the 30th percentile is 20,
  // the 40th is 20, the 50th is 35 and the 100th is 50.
  it.each([
    [30, 20],
    [40, 20],
    [50, 35],
    [100, 50],
    [0, 15],
  ])('p%d of 15,20,35,40,50 is %d', (p, expected) => {
    expect(percentile([50, 15, 40, 20, 35], p)).toBe(expected);
  });

  it('p95 of 1..100 is 95 and p99 is 99', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(median(values)).toBe(50);
  });

  it('rejects an empty sample and p outside [0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });

  it('always returns an observed value, monotone in p', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (values, a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          expect(values).toContain(percentile(values, lo));
          expect(percentile(values, lo)).toBeLessThanOrEqual(percentile(values, hi));
        },
      ),
    );
  });
});

describe('summarize', () => {
  it('reports count, extremes, mean and percentiles', () => {
    expect(summarize([3, 1, 2, 4])).toEqual({
      n: 4,
      min: 1,
      max: 4,
      mean: 2.5,
      p50: 2,
      p95: 4,
      p99: 4,
    });
  });
});

describe('maxInAnyWindow', () => {
  it('counts a half-open window [t, t + w)', () => {
    const points = [
      { at: 0, count: 500 },
      { at: 999, count: 500 },
      { at: 1000, count: 500 },
    ];
    expect(maxInAnyWindow(points, 1000)).toBe(1000);
    expect(maxInAnyWindow(points, 1001)).toBe(1500);
    expect(maxInAnyWindow([], 1000)).toBe(0);
  });

  it('equals a brute-force scan over every window start', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 5000 }), count: fc.nat(600) })),
        fc.integer({ min: 1, max: 3000 }),
        (points, windowMs) => {
          let brute = 0;
          for (const start of points) {
            let sum = 0;
            for (const p of points)
              if (p.at >= start.at && p.at < start.at + windowMs) sum += p.count;
            brute = Math.max(brute, sum);
          }
          expect(maxInAnyWindow(points, windowMs)).toBe(brute);
        },
      ),
    );
  });
});

describe('ratio', () => {
  it('divides, and is NaN against a zero baseline', () => {
    expect(ratio(3, 4)).toBe(0.75);
    expect(ratio(1, 0)).toBeNaN();
  });
});
