/**
 * @twclid-kit/server: what an app uses. The Hono sub-app `twclidKit()`, its
 * configuration, the X Conversion API client, `buildConversion`, the memory
 * outbox, errors, loggers, signal handling and X's wire types.
 *
 * Other entries:
 * - `@twclid-kit/server/sqlite`: the durable SQLite outbox (Node only).
 * - `@twclid-kit/server/core`: the building blocks (normalization, hashing,
 *   OAuth signing, retry, rate budget, batch delivery, dispatcher, X's limits).
 *
 * Nothing in this entry's import graph is Node-only, so it runs on edge runtimes.
 */
// ---------------------------------------------------------------- the kit

// ---------------------------------------------------------------- the client and conversions
export type { XClientOptions } from './client.ts';
export { createXClient, DEFAULT_API_VERSION, DEFAULT_BASE_URL } from './client.ts';
// ---------------------------------------------------------------- configuration
export type { TwclidKitConfig } from './config.ts';
export { configFromEnv, DEFAULT_DB_PATH, DEFAULT_PORT } from './config.ts';
export type { BuildConversionOptions, BuildConversionResult } from './conversion.ts';
export { buildConversion, buildConversionOrThrow, validateBatch } from './conversion.ts';
export {
  AUTH_PAUSE_MS_DEFAULT,
  BATCH_SIZE_DEFAULT,
  BODY_LIMIT_DEFAULT,
  CLICK_DAYS_DEFAULT,
  DEDUP_WINDOW_MIN_MS,
  DEDUP_WINDOW_MS_DEFAULT,
  FLUSH_INTERVAL_MS_DEFAULT,
  IP_RATE_LIMIT_DEFAULT,
  IP_RATE_WINDOW_MS_DEFAULT,
  LEASE_MS_DEFAULT,
  POLL_INTERVAL_MS_DEFAULT,
  PURGE_INTERVAL_MS_DEFAULT,
} from './defaults.ts';
// ---------------------------------------------------------------- errors, logging, signals
export {
  ConfigError,
  isConfigError,
  isStoreUnavailableError,
  isTwclidKitError,
  isValidationError,
  StoreUnavailableError,
  TwclidKitError,
  ValidationError,
} from './errors.ts';
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
// ---------------------------------------------------------------- stores
export type {
  ClaimInput,
  ConversionOrigin,
  EnqueueInput,
  EnqueueResult,
  OutboxEvent,
  OutboxState,
  OutboxStats,
  OutboxStore,
  ReadyGroup,
  RescheduleInput,
} from './outbox.ts';
export { DEDUP_WINDOW_DEFAULT_MS } from './outbox.ts';
export { memoryOutbox } from './outbox-memory.ts';
export { SCRIPT_PATH, SCRIPT_VERSION } from './script-route.ts';
export type { SignalHandlerOptions } from './signals.ts';
export { installSignalHandlers } from './signals.ts';
// ---------------------------------------------------------------- X's wire types
export type * from './x-types.ts';
