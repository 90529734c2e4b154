/**
 * A rolling-window budget per key (e.g. events per ad account per 15 minutes).
 * Entries older than the window fall out; the used amount is exact.
 */
export interface BudgetStatus {
  limit: number;
  remaining: number;
  /** When the oldest entry leaves the window (ms since the epoch), or now + window when empty. */
  resetAt: number;
}

export interface RollingBudget {
  /** Status without taking anything. */
  peek(key: string, now: number): BudgetStatus;
  /**
   * Takes `amount` when it fits. When it does not, nothing is taken and
   * `retryAt` says when enough of the window will have freed for it.
   */
  take(
    key: string,
    amount: number,
    now: number,
  ): { ok: true; status: BudgetStatus } | { ok: false; status: BudgetStatus; retryAt: number };
  clear(): void;
}

interface Window {
  entries: Array<{ at: number; amount: number }>;
  head: number;
  used: number;
}

export function createRollingBudget(limit: number, windowMs: number): RollingBudget {
  const windows = new Map<string, Window>();

  const windowFor = (key: string, now: number): Window => {
    let w = windows.get(key);
    if (!w) {
      w = { entries: [], head: 0, used: 0 };
      windows.set(key, w);
    }
    while (w.head < w.entries.length) {
      const e = w.entries[w.head] as { at: number; amount: number };
      if (e.at + windowMs > now) break;
      w.used -= e.amount;
      w.head++;
    }
    // Compact now and then so the array does not grow without bound.
    if (w.head > 1024 && w.head * 2 > w.entries.length) {
      w.entries = w.entries.slice(w.head);
      w.head = 0;
    }
    return w;
  };

  const status = (w: Window, now: number): BudgetStatus => ({
    limit,
    remaining: Math.max(0, limit - w.used),
    resetAt:
      w.head < w.entries.length
        ? (w.entries[w.head] as { at: number }).at + windowMs
        : now + windowMs,
  });

  return {
    peek(key, now) {
      return status(windowFor(key, now), now);
    },
    take(key, amount, now) {
      const w = windowFor(key, now);
      if (w.used + amount <= limit) {
        w.entries.push({ at: now, amount });
        w.used += amount;
        return { ok: true, status: status(w, now) };
      }
      // Walk the window until enough would have expired for this amount.
      let freed = 0;
      let retryAt = now + windowMs;
      const needed = w.used + amount - limit;
      for (let i = w.head; i < w.entries.length; i++) {
        const e = w.entries[i] as { at: number; amount: number };
        freed += e.amount;
        if (freed >= needed) {
          retryAt = e.at + windowMs;
          break;
        }
      }
      return { ok: false, status: status(w, now), retryAt };
    },
    clear() {
      windows.clear();
    },
  };
}
