/**
 * What to do with a batch after X answered (or did not): the policy table of
 * docs/x-api.md §2 as a pure function.
 *
 * | outcome | decision |
 * |---|---|
 * | 2xx | `done` |
 * | 400 | `split` (a single event: `dead` with X's message) |
 * | 401, 403, 404 | `pause` without an end: a human must fix credentials or IDs |
 * | 429 | `pause` until the reset X sent (else `rateLimitFallbackMs`) |
 * | 408, 423, 5xx, network error, timeout | `retry` with backoff, then `dead` when the budget is spent |
 * | any other status | `dead` |
 */
import { type BackoffOptions, backoffDelay } from './backoff.ts';
import { describeXErrors } from './outcome-text.ts';
import type { RetryDecision, SendOutcome } from './x-types.ts';

export interface RetryPolicy {
  /** Attempts per batch, the first send included. Default: 12. */
  maxAttempts?: number;
  /** Give up once this long has passed since the first attempt. Default: 24 h. */
  maxElapsedMs?: number;
  /** Pause after a 429 that carried no reset header. Default: 60 s. */
  rateLimitFallbackMs?: number;
  /** Backoff curve and jitter. */
  backoff?: BackoffOptions;
}

export const RETRY_DEFAULTS = {
  maxAttempts: 12,
  maxElapsedMs: 24 * 60 * 60_000,
  rateLimitFallbackMs: 60_000,
} as const;

export interface AttemptState {
  /** Attempts made so far, the one that produced `outcome` included (1 after the first send). */
  attempts: number;
  /** When the first attempt was made (epoch ms). */
  firstAttemptAt: number;
  /** Now (epoch ms). */
  now: number;
  /** Conversions in the batch; a 400 on a single conversion is final. Default: more than one. */
  batchSize?: number;
}

/** The decision for one outcome; see the table above. */
export function decideRetry(
  outcome: SendOutcome,
  state: AttemptState,
  policy: RetryPolicy = {},
): RetryDecision {
  switch (outcome.kind) {
    case 'ok':
      return { action: 'done' };
    case 'invalid':
      // All-or-nothing requests [WC]: split to isolate the bad events.
      if (state.batchSize === 1) {
        return {
          action: 'dead',
          reason: `X rejected the conversion: ${describeXErrors(outcome.errors)}`,
        };
      }
      return { action: 'split' };
    case 'auth':
    case 'not_found':
      return {
        action: 'pause',
        reason: `X answered ${outcome.status}: ${describeXErrors(outcome.errors)}`,
      };
    case 'rate_limited': {
      const fallback = policy.rateLimitFallbackMs ?? RETRY_DEFAULTS.rateLimitFallbackMs;
      const untilMs =
        outcome.resetAt !== undefined && outcome.resetAt > state.now
          ? outcome.resetAt
          : state.now + fallback;
      return { action: 'pause', untilMs, reason: 'X answered 429 (rate limited)' };
    }
    case 'transient':
    case 'network':
    case 'timeout': {
      const what =
        outcome.kind === 'transient'
          ? `X answered ${outcome.status}: ${describeXErrors(outcome.errors)}`
          : `${outcome.kind}: ${outcome.message}`;
      const maxAttempts = policy.maxAttempts ?? RETRY_DEFAULTS.maxAttempts;
      if (state.attempts >= maxAttempts) {
        return {
          action: 'dead',
          reason: `gave up after ${state.attempts} attempts; last: ${what}`,
        };
      }
      const backoff = backoffDelay(state.attempts, policy.backoff);
      const retryAfter = outcome.kind === 'transient' ? (outcome.retryAfterMs ?? 0) : 0;
      const delayMs = Math.max(backoff, retryAfter);
      const maxElapsedMs = policy.maxElapsedMs ?? RETRY_DEFAULTS.maxElapsedMs;
      if (state.now + delayMs - state.firstAttemptAt > maxElapsedMs) {
        return {
          action: 'dead',
          reason: `gave up after ${state.attempts} attempts over ${Math.round((state.now - state.firstAttemptAt) / 1000)} s; last: ${what}`,
        };
      }
      return { action: 'retry', delayMs };
    }
    case 'unexpected':
      return {
        action: 'dead',
        reason: `X answered an unexpected ${outcome.status}: ${describeXErrors(outcome.errors)}`,
      };
  }
}
