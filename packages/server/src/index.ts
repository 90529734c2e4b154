/**
 * @twclid-kit/server: the X Conversion API client and the parts it is built
 * from (normalization, hashing, validation, OAuth signing, retry policy, rate
 * budget, configuration).
 */
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
export type { XClientOptions } from './client.ts';
export { conversionsUrl, createXClient, DEFAULT_API_VERSION, DEFAULT_BASE_URL } from './client.ts';
export type { TwclidKitConfig } from './config.ts';
export { configFromEnv, DEFAULT_DB_PATH, DEFAULT_PORT } from './config.ts';
export type { BuildConversionOptions, BuildConversionResult } from './conversion.ts';
export { buildConversion, buildConversionOrThrow, validateBatch } from './conversion.ts';
export { currencyCodes, isCurrencyCode } from './currency.ts';
// ---------------------------------------------------------------- route and delivery pipeline
export type {
  Dispatcher,
  DispatcherOptions,
  DispatcherState,
  PausedAccount,
  StopResult,
  Timers,
} from './dispatcher.ts';
export { createDispatcher, SHUTDOWN_TIMEOUT_MS_DEFAULT } from './dispatcher.ts';
export {
  ConfigError,
  isConfigError,
  isTwclidKitError,
  isValidationError,
  TwclidKitError,
  ValidationError,
} from './errors.ts';
export type { ParsedEventId } from './event-id.ts';
export { isPixelId, PIXEL_ID_PATTERN, parseEventId } from './event-id.ts';
export { hashIdentifier, isSha256Hex, sha256Hex } from './hash.ts';
export type {
  ConversionResult,
  FormOptions,
  KitStats,
  SendConversionInput,
  TwclidEnv,
  TwclidKit,
  TwclidKitMembers,
  TwclidKitOptions,
  TwclidVariables,
} from './kit.ts';
export { twclidKit } from './kit.ts';
export type { ConsoleLoggerOptions } from './logger.ts';
export { consoleLogger, silentLogger } from './logger.ts';
export type { CountryCode, Normalized, NormalizedIp } from './normalize.ts';
export {
  isPhoneCountry,
  normalizeEmail,
  normalizeIp,
  normalizePhone,
  normalizeTwclid,
  normalizeUserAgent,
} from './normalize.ts';
export type { OAuth1Credentials, OAuth1SignInput } from './oauth1.ts';
export {
  baseStringUri,
  hmacSha1Base64,
  oauth1Authorization,
  oauth1Signature,
  percentEncode,
  randomNonce,
} from './oauth1.ts';
export type {
  ClaimInput,
  EnqueueInput,
  EnqueueResult,
  OutboxEvent,
  OutboxState,
  OutboxStats,
  OutboxStore,
  ReadyGroup,
  RescheduleInput,
} from './outbox.ts';
export { DEDUP_WINDOW_DEFAULT_MS, DEDUP_WINDOW_MIN_MS, dedupKey, shortEventId } from './outbox.ts';
export { memoryOutbox } from './outbox-memory.ts';
export { describeOutcome, describeXError, describeXErrors } from './outcome-text.ts';
export type { RateBudgetOptions } from './rate-budget.ts';
export { createRateBudget } from './rate-budget.ts';
export { parseRateLimit, parseRetryAfter, rateLimitResetAt } from './rate-limit-headers.ts';
export type { AttemptState, RetryPolicy } from './retry.ts';
export { decideRetry, RETRY_DEFAULTS } from './retry.ts';
export type { ClientIpOptions } from './safety/client-ip.ts';
export { clientIp, rateLimitKey } from './safety/client-ip.ts';
export type { RateLimiter, RateLimiterOptions } from './safety/rate-limit.ts';
export { createRateLimiter } from './safety/rate-limit.ts';
export { SCRIPT_PATH, SCRIPT_VERSION } from './script-route.ts';
export type { SignalHandlerOptions } from './signals.ts';
export { installSignalHandlers } from './signals.ts';
export type { SignedFetchOptions } from './signed-fetch.ts';
export { signedFetch } from './signed-fetch.ts';
export type { SerializedValue } from './value.ts';
export { serializeValue } from './value.ts';
export type { ParsedWireEvent } from './wire-event.ts';
export { parseWireEvent } from './wire-event.ts';
export {
  MAX_CONVERSIONS_PER_REQUEST,
  /** @deprecated The same limit as `MAX_CONVERSIONS_PER_REQUEST`; kept for existing imports. */
  MAX_CONVERSIONS_PER_REQUEST as MAX_BATCH,
  RATE_LIMIT_DEFAULT,
  RATE_WINDOW_MS_DEFAULT,
  REQUEST_TIMEOUT_MS_DEFAULT,
  /** @deprecated Use `REQUEST_TIMEOUT_MS_DEFAULT`; kept for existing imports. */
  REQUEST_TIMEOUT_MS_DEFAULT as DEFAULT_TIMEOUT_MS,
  X_DEDUP_WINDOW_MS,
} from './x-limits.ts';
export type * from './x-types.ts';
