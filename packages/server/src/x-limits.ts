/**
 * X's limits, in one place. Every part of the kit (client, validation,
 * dispatcher, rate budget, CLI) imports them from here, so a figure X changes
 * is changed once. Each constant cites where X documents it; the one default X
 * does not document (the request timeout) says so.
 */

/**
 * Conversions per request: X accepts 1 to 500 and answers 501 or more with a
 * 400 "Conversion count limit is 500" (docs/x-api.md §1) [REF12].
 */
export const MAX_CONVERSIONS_PER_REQUEST = 500;

/** The window X's rate limits are counted over: 15 minutes (docs/x-api.md §2) [RL]. */
export const X_BUDGET_WINDOW_MS_DEFAULT = 15 * 60_000;
/** @deprecated Use `X_BUDGET_WINDOW_MS_DEFAULT`; kept for existing imports. */
export const RATE_WINDOW_MS_DEFAULT = X_BUDGET_WINDOW_MS_DEFAULT;

/**
 * Events per ad account per rate window. X states its limit three ways; this is
 * the strictest reading, 60,000 events per account per 15 minutes
 * (docs/x-api.md §2) [WC] [GTM] [RL]. Configurable, and X's headers always win.
 * X's budget, not the kit's per-IP request limit (`IP_RATE_LIMIT_DEFAULT`).
 */
export const X_BUDGET_DEFAULT = 60_000;
/** @deprecated Use `X_BUDGET_DEFAULT`: the name read like the per-IP limit; kept for existing imports. */
export const RATE_LIMIT_DEFAULT = X_BUDGET_DEFAULT;

/**
 * X deduplicates a conversion sent through both Pixel and Conversion API only
 * within 48 hours (docs/x-api.md §5) [WC].
 */
export const X_DEDUP_WINDOW_MS = 48 * 60 * 60 * 1000;

/**
 * How long a request to X may take, reading the answer included. X documents
 * no timeout; a request without an answer is retried with the same
 * `conversion_id` (docs/x-api.md §2), so 10 s is the kit's own choice.
 */
export const REQUEST_TIMEOUT_MS_DEFAULT = 10_000;
