/**
 * Summary statistics for benchmark samples.
 *
 * Percentiles use the nearest-rank method (the smallest sample with at least
 * p% of the samples at or below it): it always returns a value that was
 * actually observed, and never understates a tail latency by interpolating.
 */

export interface Summary {
  n: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Nearest-rank percentile of `values` (need not be sorted); `p` in [0, 100]. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile of an empty sample');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile p must be in [0, 100], got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  return nearestRank(sorted, p);
}

function nearestRank(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/** The median as the 50th nearest-rank percentile (an observed value). */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError('summary of an empty sample');
  const sorted = [...values].sort((a, b) => a - b);
  let total = 0;
  for (const v of sorted) total += v;
  return {
    n: sorted.length,
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    mean: total / sorted.length,
    p50: nearestRank(sorted, 50),
    p95: nearestRank(sorted, 95),
    p99: nearestRank(sorted, 99),
  };
}

/**
 * The largest number of events inside any window of `windowMs` (half-open,
 * `[t, t + windowMs)`), given `(time, count)` points. The maximum over all
 * windows is reached by a window starting at one of the points, so checking
 * those starts is exact.
 */
export function maxInAnyWindow(
  points: readonly { at: number; count: number }[],
  windowMs: number,
): number {
  const sorted = [...points].sort((a, b) => a.at - b.at);
  let best = 0;
  let inWindow = 0;
  // Two pointers: slide the window start over every point, extending its end.
  let head = 0;
  for (let tail = 0; tail < sorted.length; tail++) {
    const start = (sorted[tail] as { at: number }).at;
    while (head < sorted.length && (sorted[head] as { at: number }).at < start + windowMs) {
      inWindow += (sorted[head] as { count: number }).count;
      head++;
    }
    best = Math.max(best, inWindow);
    inWindow -= (sorted[tail] as { count: number }).count;
  }
  return best;
}

/** `value / baseline`, or `NaN` when the baseline is zero. */
export function ratio(value: number, baseline: number): number {
  return baseline === 0 ? Number.NaN : value / baseline;
}
