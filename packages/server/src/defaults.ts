/**
 * The kit's own defaults, in one place and one naming style (`…_DEFAULT`, with
 * the unit before it: `…_MS_DEFAULT`). Each says why it has its value. X's
 * limits are not here: they live in `x-limits.ts` with the page X documents
 * them on. Two values the browser script must agree on (body limit, click
 * lifetime) live in `@twclid-kit/browser/contract` and are re-exported.
 */
import { BODY_LIMIT_DEFAULT, CLICK_DAYS_DEFAULT } from '@twclid-kit/browser/contract';
import { MAX_CONVERSIONS_PER_REQUEST, X_DEDUP_WINDOW_MS } from './x-limits.ts';

/**
 * Request body limit of `/events`, `/capture` and forms, in bytes: 16 KB holds
 * any event the script sends with room for a long `contents` list, and keeps a
 * flood of large bodies cheap to refuse. Shared with the browser script.
 */
/**
 * Click cookie lifetime in days: 90, X's longest attribution window; a click
 * older than that can no longer be credited. Shared with the browser script.
 */
export { BODY_LIMIT_DEFAULT, CLICK_DAYS_DEFAULT };

/** Events per request to X: as many as X accepts (fewest requests against the budget). */
export const BATCH_SIZE_DEFAULT = MAX_CONVERSIONS_PER_REQUEST;

/**
 * Longest wait before a partial batch is sent: 1 s adds little delay to a
 * conversion yet lets a burst share one request.
 */
export const FLUSH_INTERVAL_MS_DEFAULT = 1000;

/**
 * How long a claimed batch is held before another worker may take it: 60 s,
 * several request timeouts, so a live worker is never overtaken.
 */
export const LEASE_MS_DEFAULT = 60_000;

/**
 * How long a 401/403/404 pause lasts before one probe request: 5 minutes, long
 * enough for a human to fix credentials without hammering X with bad ones.
 */
export const AUTH_PAUSE_MS_DEFAULT = 5 * 60_000;

/**
 * Idle re-check of the store (events written by another process, a requeue):
 * 5 s keeps a shared store responsive at a negligible query rate.
 */
export const POLL_INTERVAL_MS_DEFAULT = 5000;

/**
 * Idempotency window of `(event_id, conversion_id)`: 7 days, so a retried
 * purchase or a replayed beacon is caught well past a page reload or a slow
 * retry queue. Never shorter than `DEDUP_WINDOW_MIN_MS`.
 */
export const DEDUP_WINDOW_MS_DEFAULT = 7 * 24 * 60 * 60 * 1000;

/**
 * The shortest idempotency window allowed: X's own Pixel/Conversion API
 * deduplication window (48 hours), so the kit never forgets a conversion
 * X would still double-count.
 */
export const DEDUP_WINDOW_MIN_MS = X_DEDUP_WINDOW_MS;

/**
 * Requests per client IP (IPv6 per /56) per window on `/events` and
 * `/capture`: 60 a minute is far above what a shopper's pages send and far
 * below what a script flooding the outbox would. Not X's budget
 * (`X_BUDGET_DEFAULT`): this limit protects the kit, that one is X's.
 */
export const IP_RATE_LIMIT_DEFAULT = 60;

/** The per-IP limit's window: one minute, so a blocked visitor waits at most that. */
export const IP_RATE_WINDOW_MS_DEFAULT = 60_000;

/**
 * How often delivered events past their retention are deleted: hourly, since
 * retention is counted in days and a purge is a full scan of the store.
 */
export const PURGE_INTERVAL_MS_DEFAULT = 60 * 60 * 1000;
