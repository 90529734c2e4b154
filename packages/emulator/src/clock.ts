/**
 * The emulator's clock. `now()` is X's idea of time: it drives the 48-hour
 * deduplication window, the rolling rate window and recorded times, and tests
 * move it with `advance()`/`set()`. `wallNow()` is the underlying clock (the
 * `now` option, default `Date.now`): OAuth timestamp checks and the epoch
 * seconds in rate-limit headers use it, so a client on a real clock keeps
 * authenticating and waiting sensible times after a test advanced X's time.
 */
export interface EmulatorClock {
  /** X's current time in ms since the epoch (underlying clock + offset). */
  now(): number;
  /** The underlying clock in ms, without the offset. */
  wallNow(): number;
  /** Moves X's time forward (or back, with a negative value); returns the new now(). */
  advance(ms: number): number;
  /** Sets X's time to an absolute epoch-ms value; returns it. */
  set(epochMs: number): number;
  /** Offset between now() and wallNow(), in ms. */
  offset(): number;
}

export function createClock(base: () => number = Date.now): EmulatorClock {
  let offsetMs = 0;
  return {
    now: () => base() + offsetMs,
    wallNow: () => base(),
    advance(ms) {
      if (!Number.isFinite(ms)) throw new RangeError('advance(ms): ms must be a finite number');
      offsetMs += ms;
      return base() + offsetMs;
    },
    set(epochMs) {
      if (!Number.isFinite(epochMs)) throw new RangeError('set(epochMs): must be a finite number');
      offsetMs = epochMs - base();
      return epochMs;
    },
    offset: () => offsetMs,
  };
}
