/**
 * A per-ad-account event budget over an exact rolling window.
 *
 * X documents its limit three ways; the kit budgets the strictest reading,
 * 60,000 events per ad account per rolling 15 minutes (docs/x-api.md §2), and
 * obeys the rate-limit headers X returns. The window is exact: every spend
 * is recorded with its time and counts until `windowMs` later, so no window
 * of that length, wherever it starts, ever holds more than `limit` events
 * (a fixed window or a token bucket can allow up to twice the limit across a
 * boundary).
 *
 * This budget lives in the process. Processes sharing a SQLite file share
 * one budget through it (`store.rateBudget()`, rate-budget-sqlite.ts).
 */
import { X_BUDGET_DEFAULT, X_BUDGET_WINDOW_MS_DEFAULT } from './x-limits.ts';
import type { RateBudget, RateLimitInfo } from './x-types.ts';

export interface RateBudgetOptions {
  /** Events per account per window. Default: 60 000. */
  limit?: number;
  /** Window length in ms. Default: 15 minutes. */
  windowMs?: number;
  /** Clock (epoch ms). Default: `Date.now`. */
  now?: () => number;
  /**
   * Shared budgets only: how long after a take X may still receive its
   * request (the request timeout). A spend counts from then until its request
   * ends (`answered`), so a process killed mid-request leaves a spend that
   * covers it. Default: 10 s, the client's request timeout.
   */
  inFlightMs?: number;
}

/** The options with their defaults, checked. */
export function budgetSettings(options: RateBudgetOptions): {
  limit: number;
  windowMs: number;
  now: () => number;
} {
  const limit = options.limit ?? X_BUDGET_DEFAULT;
  const windowMs = options.windowMs ?? X_BUDGET_WINDOW_MS_DEFAULT;
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError('limit must be a positive integer');
  if (!(windowMs > 0)) throw new RangeError('windowMs must be positive');
  return { limit, windowMs, now: options.now ?? Date.now };
}

interface Spend {
  at: number;
  count: number;
}

interface AccountState {
  spends: Spend[];
  /** Index of the oldest spend still inside the window. */
  head: number;
  used: number;
  /** X said "remaining 0" until this time (epoch ms). */
  blockedUntil: number;
}

/**
 * Creates a rate budget shared by everything that sends for an account.
 *
 * @example
 * const budget = createRateBudget(); // 60,000 events / rolling 15 min per account
 * const n = await budget.take('18ce552mlaq', batch.length); // send the first n now
 * if (n < batch.length) setTimeout(flush, (await budget.nextFreeAt('18ce552mlaq')) - Date.now());
 */
export function createRateBudget(options: RateBudgetOptions = {}): RateBudget {
  const { limit, windowMs, now } = budgetSettings(options);
  const accounts = new Map<string, AccountState>();

  function state(account: string, at: number): AccountState {
    let s = accounts.get(account);
    if (!s) {
      s = { spends: [], head: 0, used: 0, blockedUntil: 0 };
      accounts.set(account, s);
    }
    // A spend at time `a` counts for times t with a > t − windowMs.
    while (s.head < s.spends.length && (s.spends[s.head] as Spend).at <= at - windowMs) {
      s.used -= (s.spends[s.head] as Spend).count;
      s.head++;
    }
    if (s.head > 1024 && s.head * 2 > s.spends.length) {
      s.spends = s.spends.slice(s.head);
      s.head = 0;
    }
    return s;
  }

  return {
    limits: { limit, windowMs },
    async take(account, wanted) {
      const at = now();
      const s = state(account, at);
      if (at < s.blockedUntil) return 0;
      const granted = Math.max(0, Math.min(Math.floor(wanted), limit - s.used));
      if (granted === 0) return 0;
      const last = s.spends[s.spends.length - 1];
      if (last && s.spends.length > s.head && last.at === at) last.count += granted;
      else s.spends.push({ at, count: granted });
      s.used += granted;
      return granted;
    },

    async nextFreeAt(account) {
      const at = now();
      const s = state(account, at);
      const start = Math.max(at, s.blockedUntil);
      let used = s.used;
      for (let i = s.head; i < s.spends.length && used >= limit; i++) {
        const spend = s.spends[i] as Spend;
        if (spend.at + windowMs <= start) used -= spend.count;
        else {
          used -= spend.count;
          if (used < limit) return spend.at + windowMs;
        }
      }
      return start;
    },

    async refund(account, count) {
      const s = state(account, now());
      let left = Math.max(0, Math.floor(count));
      // Newest first: the events being given back are the ones just taken.
      for (let i = s.spends.length - 1; i >= s.head && left > 0; i--) {
        const spend = s.spends[i] as Spend;
        const back = Math.min(left, spend.count);
        spend.count -= back;
        s.used -= back;
        left -= back;
      }
    },

    async answered(account, count) {
      const at = now();
      const s = state(account, at);
      let left = Math.max(0, Math.floor(count));
      let moved = 0;
      // Newest first: the request that just ended took them last.
      for (let i = s.spends.length - 1; i >= s.head && left > 0; i--) {
        const spend = s.spends[i] as Spend;
        const back = Math.min(left, spend.count);
        spend.count -= back;
        left -= back;
        moved += back;
      }
      if (moved > 0) s.spends.push({ at, count: moved });
    },

    async update(account, info: RateLimitInfo) {
      // X says nothing more is allowed until the reset [RL].
      if (info.remaining === 0 && info.resetAt !== undefined) {
        const s = state(account, now());
        s.blockedUntil = Math.max(s.blockedUntil, info.resetAt);
      }
    },
  };
}
