/**
 * Per-key fixed-window request counter for the route's per-IP limit.
 * Memory is bounded: expired windows are swept when the table grows.
 */
import { IP_RATE_LIMIT_DEFAULT, IP_RATE_WINDOW_MS_DEFAULT } from '../defaults.ts';

export interface RateLimiterOptions {
  /** Requests allowed per key per window. Default 60. */
  limit?: number;
  /** Window length in ms. Default 60 000. */
  windowMs?: number;
  /** Clock (epoch ms). Default `Date.now`. */
  now?: () => number;
  /** Keys kept before expired ones are swept. Default 10 000. */
  maxKeys?: number;
}

export type RateLimitHit = { ok: true } | { ok: false; retryAfterMs: number };

export interface RateLimiter {
  hit(key: string): RateLimitHit;
}

export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  const limit = options.limit ?? IP_RATE_LIMIT_DEFAULT;
  const windowMs = options.windowMs ?? IP_RATE_WINDOW_MS_DEFAULT;
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 10_000;
  const windows = new Map<string, { count: number; resetAt: number }>();

  function sweep(at: number): void {
    for (const [key, window] of windows) if (window.resetAt <= at) windows.delete(key);
    // Still full of live keys (a flood of distinct addresses): drop the oldest.
    while (windows.size >= maxKeys) {
      const oldest = windows.keys().next().value;
      if (oldest === undefined) break;
      windows.delete(oldest);
    }
  }

  return {
    hit(key) {
      const at = now();
      let window = windows.get(key);
      if (!window || window.resetAt <= at) {
        if (!window && windows.size >= maxKeys) sweep(at);
        window = { count: 0, resetAt: at + windowMs };
        windows.delete(key);
        windows.set(key, window);
      }
      window.count++;
      if (window.count > limit) return { ok: false, retryAfterMs: window.resetAt - at };
      return { ok: true };
    },
  };
}
