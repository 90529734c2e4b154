/**
 * The bound on the browser backlog (docs/product.md "Safety (the server)"):
 * the public endpoint has no authentication, so conversions posted to it may
 * wait in the outbox up to `browserBacklog` events; past that the route
 * answers 503 `backlog_full` with `Retry-After` until the dispatcher has sent
 * some. Nothing already stored is dropped, and server-vouched conversions
 * (`kit.form()`, `sendConversion()`) are never refused for it.
 *
 * Counting the outbox on every post would put a `COUNT` on the hottest route,
 * so the count is cached: read from the store at most once a second (other
 * processes on a shared store write too), and raised locally for each browser
 * event stored meanwhile.
 */
import type { Context } from 'hono';
import type { OutboxStore } from '../outbox.ts';
import { reject } from '../safety/reject.ts';
import type { Logger } from '../x-types.ts';

/** X's whole budget for 15 minutes (docs/x-api.md §2): beyond it a post would wait longer than that. */
export const BROWSER_BACKLOG_DEFAULT = 60_000;
/** How long the cached count is used before the store is asked again. */
export const BACKLOG_REFRESH_MS = 1000;
/**
 * `Retry-After` of a `backlog_full` answer: a minute, a fifteenth of X's
 * window, in which the browser share of the budget frees some room.
 */
export const BACKLOG_RETRY_AFTER_S = 60;

export interface BrowserBacklogOptions {
  store: OutboxStore;
  /** Undelivered browser events at which the route refuses more. */
  limit: number;
  now: () => number;
  logger: Logger;
}

export interface BrowserBacklog {
  /** Whether the browser backlog has reached its limit (the cached count, refreshed when stale). */
  full(): Promise<boolean>;
  /** A browser event was stored (not a duplicate): counted until the next refresh. */
  added(): void;
  /** The 503 `backlog_full` answer with `Retry-After` (like `store_unavailable`, not a client error). */
  refuse(c: Context): Response;
}

/**
 * Creates the backlog bound. A store without `countUndelivered` (a custom
 * one) cannot be bounded: every post is let through, and a warning says so once.
 */
export function createBrowserBacklog(options: BrowserBacklogOptions): BrowserBacklog {
  const { store, limit, now, logger } = options;
  let count = 0;
  /** When the count was last read from the store; `undefined` before the first read. */
  let readAt: number | undefined;
  let reading: Promise<void> | undefined;
  /** The store cannot count: nothing is bounded. */
  let unbounded = false;

  async function read(): Promise<void> {
    const at = now();
    try {
      if (!store.countUndelivered) {
        unbounded = true;
        logger.log('warn', 'backlog.unbounded', {
          reason: 'the store has no countUndelivered(): the browser backlog is not bounded',
        });
        return;
      }
      count = await store.countUndelivered({ origin: 'browser' });
      readAt = at;
    } catch {
      // A store that cannot count cannot store either: intake answers for it
      // (503 store_unavailable). The next post asks again.
    }
  }

  function refresh(): Promise<void> {
    reading ??= read().finally(() => {
      reading = undefined;
    });
    return reading;
  }

  return {
    async full() {
      if (unbounded) return false;
      if (readAt === undefined) await refresh();
      // Stale: ask the store again, the posts in the meantime use the count as it is.
      else if (now() - readAt >= BACKLOG_REFRESH_MS) void refresh();
      return !unbounded && count >= limit;
    },
    added() {
      count++;
    },
    refuse(c) {
      c.header('Retry-After', String(BACKLOG_RETRY_AFTER_S));
      return reject(
        c,
        503,
        'backlog_full',
        `Too many browser events wait for delivery (browserBacklog ${limit}); retry later`,
      );
    },
  };
}
