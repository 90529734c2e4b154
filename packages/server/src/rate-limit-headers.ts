/**
 * Reading X's rate-limit headers [RL] and `Retry-After` (RFC 9110 §10.2.3).
 * All results are epoch milliseconds or millisecond delays.
 */
import type { RateLimitInfo } from './x-types.ts';

function integer(value: string | null): number | undefined {
  if (value === null || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}

/**
 * `x-account-rate-limit-{limit,remaining,reset}` when present (the per-account
 * limit the Conversion API budget is about), else `x-rate-limit-*`. Reset is
 * Unix epoch seconds on the wire. `undefined` when neither set is present.
 */
export function parseRateLimit(headers: Headers): RateLimitInfo | undefined {
  for (const [prefix, account] of [
    ['x-account-rate-limit-', true],
    ['x-rate-limit-', false],
  ] as const) {
    const limit = integer(headers.get(`${prefix}limit`));
    const remaining = integer(headers.get(`${prefix}remaining`));
    const reset = integer(headers.get(`${prefix}reset`));
    if (limit === undefined && remaining === undefined && reset === undefined) continue;
    const info: RateLimitInfo = { account };
    if (limit !== undefined) info.limit = limit;
    if (remaining !== undefined) info.remaining = remaining;
    if (reset !== undefined) info.resetAt = reset * 1000;
    return info;
  }
  return undefined;
}

/**
 * `Retry-After` as a delay in ms from `now`: either delay-seconds or an
 * HTTP-date (RFC 9110 §10.2.3). A date in the past gives 0; anything else
 * unparseable gives `undefined`.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // HTTP-date always names a weekday and ends in GMT (IMF-fixdate, or the
  // obsolete RFC 850 / asctime forms which Date.parse also reads).
  if (!/[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * When a 429 lifts (epoch ms): the latest of `retry-after` and the resets
 * (`x-account-rate-limit-reset`, `x-rate-limit-reset`) [ERR] [RL] of the
 * limits that are spent, since sending before any of them has passed would
 * only earn another 429. A limit whose `-remaining` says it has room does not
 * hold the account up: X's per-user request limit resets every 15 minutes
 * whatever the account's event budget does (docs/x-api.md §2). Only when no
 * header says which limit is spent are all resets waited for.
 */
export function rateLimitResetAt(headers: Headers, now: number): number | undefined {
  const spent: number[] = [];
  const roomy: number[] = [];
  const retryAfter = parseRetryAfter(headers.get('retry-after'), now);
  if (retryAfter !== undefined) spent.push(now + retryAfter);
  for (const prefix of ['x-account-rate-limit-', 'x-rate-limit-']) {
    const seconds = integer(headers.get(`${prefix}reset`));
    if (seconds === undefined) continue;
    const remaining = integer(headers.get(`${prefix}remaining`));
    (remaining !== undefined && remaining > 0 ? roomy : spent).push(seconds * 1000);
  }
  const candidates = spent.length > 0 ? spent : roomy;
  return candidates.length > 0 ? Math.max(...candidates) : undefined;
}
