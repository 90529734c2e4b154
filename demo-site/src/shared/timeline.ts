/**
 * One event seen by X (the emulator): when, and how. `fault` is a CAPI copy
 * answered with an injected error (the outbox sends it again).
 */
export interface TimedEvent {
  /** Epoch milliseconds. */
  at: number;
  channel: 'pixel' | 'capi' | 'fault';
}

/** Events per channel in one time slot `[start, start + width)`. */
export interface Bucket {
  start: number;
  pixel: number;
  capi: number;
  fault: number;
}

/**
 * Counts events into `count` equal slots ending at `now` (the last slot holds
 * `now`). Events outside the window are left out.
 */
export function bucketEvents(
  events: readonly TimedEvent[],
  now: number,
  count: number,
  widthMs: number,
): Bucket[] {
  const first = Math.floor(now / widthMs) * widthMs - (count - 1) * widthMs;
  const buckets: Bucket[] = Array.from({ length: count }, (_, i) => ({
    start: first + i * widthMs,
    pixel: 0,
    capi: 0,
    fault: 0,
  }));
  for (const event of events) {
    const bucket = buckets[Math.floor((event.at - first) / widthMs)];
    if (bucket && event.at <= now) bucket[event.channel] += 1;
  }
  return buckets;
}
