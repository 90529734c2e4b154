/**
 * `@twclid-kit/server/core`: the building blocks the kit and the CLI are made
 * of, for tools that drive X's Conversion API without the Hono route. An app
 * needs none of this; `@twclid-kit/server` is its entry.
 *
 * - values: normalization, hashing, `value` serialization, event IDs, currency
 *   codes, the browser's wire event
 * - signing: OAuth 1.0a, auth headers, signed fetch
 * - X's limits and answers: limits, rate-limit headers, outcome text
 * - delivery: retry policy, backoff, rate budget, batch delivery, dispatcher,
 *   outbox internals (`dedupKey`, `shortEventId`)
 * - per-IP safety: client IP and the request limiter
 *
 * Like the main entry, nothing here is Node-only.
 */
// ---------------------------------------------------------------- values

export type { AuthHeaderOptions, SigningAuth } from './auth.ts';
export { authHeaders } from './auth.ts';
export type { BackoffOptions } from './backoff.ts';
export { BACKOFF_DEFAULTS, backoffDelay } from './backoff.ts';
export type {
  Answer,
  DeliveryHooks,
  DeliveryResult,
  DeliveryStep,
  DeliveryTarget,
  Flow,
} from './batch-delivery.ts';
export { deliverBatch, halve, stepFor } from './batch-delivery.ts';
export { conversionsUrl } from './client.ts';
export {
  CONVERSION_ID_MAX_LENGTH,
  CONVERSION_TIME_MAX_AGE_MS,
  CONVERSION_TIME_MAX_AHEAD_MS,
} from './conversion-checks.ts';
export { currencyCodes, isCurrencyCode } from './currency.ts';
export type {
  Dispatcher,
  DispatcherOptions,
  DispatcherState,
  PausedAccount,
  StopResult,
  Timers,
} from './dispatcher.ts';
export { createDispatcher, SHUTDOWN_TIMEOUT_MS_DEFAULT } from './dispatcher.ts';
export type { ParsedEventId } from './event-id.ts';
export { eventTag, isPixelId, PIXEL_ID_PATTERN, parseEventId } from './event-id.ts';
export { hashIdentifier, isSha256Hex, sha256Hex } from './hash.ts';
export type { CountryCode, Normalized, NormalizedIp } from './normalize.ts';
export {
  isPhoneCountry,
  normalizeEmail,
  normalizeIp,
  normalizePhone,
  normalizeTwclid,
  normalizeUserAgent,
} from './normalize.ts';
// ---------------------------------------------------------------- signing
export type { OAuth1Credentials, OAuth1SignInput } from './oauth1.ts';
export {
  baseStringUri,
  hmacSha1Base64,
  oauth1Authorization,
  oauth1Signature,
  percentEncode,
  randomNonce,
} from './oauth1.ts';
export type { ConversionOrigin } from './outbox.ts';
export { dedupKey, shortEventId } from './outbox.ts';
export { describeOutcome, describeXError, describeXErrors } from './outcome-text.ts';
export type { PageUrl } from './page-url.ts';
export { pageUrl } from './page-url.ts';
export type { RateBudgetOptions } from './rate-budget.ts';
export { createRateBudget } from './rate-budget.ts';
export { parseRateLimit, parseRetryAfter, rateLimitResetAt } from './rate-limit-headers.ts';
// ---------------------------------------------------------------- delivery
export type { AttemptState, RetryPolicy } from './retry.ts';
export { decideRetry, RETRY_DEFAULTS } from './retry.ts';
// ---------------------------------------------------------------- per-IP safety
export type { ClientIpOptions } from './safety/client-ip.ts';
export { clientIp, rateLimitKey } from './safety/client-ip.ts';
export type { RateLimiter, RateLimiterOptions } from './safety/rate-limit.ts';
export { createRateLimiter } from './safety/rate-limit.ts';
export type { SignedFetchOptions } from './signed-fetch.ts';
export { signedFetch } from './signed-fetch.ts';
export type { SerializedValue } from './value.ts';
export { serializeAmount, serializeValue, VALUE_MAX, VALUE_MAX_DIGITS } from './value.ts';
export type { FieldSpec, ParsedWireEvent } from './wire-event.ts';
export { CONTENT_FIELDS, CONVERSION_FIELDS, parseWireEvent } from './wire-event.ts';
// ---------------------------------------------------------------- X's limits and answers
export {
  MAX_CONVERSIONS_PER_REQUEST,
  /** @deprecated The same limit as `MAX_CONVERSIONS_PER_REQUEST`; kept for existing imports. */
  MAX_CONVERSIONS_PER_REQUEST as MAX_BATCH,
  RATE_LIMIT_DEFAULT,
  RATE_WINDOW_MS_DEFAULT,
  REQUEST_TIMEOUT_MS_DEFAULT,
  /** @deprecated Use `REQUEST_TIMEOUT_MS_DEFAULT`; kept for existing imports. */
  REQUEST_TIMEOUT_MS_DEFAULT as DEFAULT_TIMEOUT_MS,
  X_BUDGET_DEFAULT,
  X_BUDGET_WINDOW_MS_DEFAULT,
  X_DEDUP_WINDOW_MS,
} from './x-limits.ts';
