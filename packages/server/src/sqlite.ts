/**
 * `@twclid-kit/server/sqlite`: the embedded durable outbox (Node only, through
 * better-sqlite3). Kept out of the main entry so the route and dispatcher run
 * on edge runtimes with `memoryOutbox()`.
 *
 * Its declarations name no better-sqlite3 type, so an app type-checks without
 * `@types/better-sqlite3`. The file's shared X budget is `store.rateBudget()`.
 */
import {
  BUSY_TIMEOUT_MS_DEFAULT as busyTimeoutMsDefault,
  SCHEMA_VERSION as schemaVersion,
} from './sqlite-schema.ts';

export { isStoreUnavailableError, StoreUnavailableError } from './errors.ts';
export type { SqliteOutboxOptions } from './outbox-sqlite.ts';
export { OUTBOX_DB_DEFAULT, resolveOutboxPath, sqliteOutbox } from './outbox-sqlite.ts';

/** How long a write waits for another process's lock before the kit answers 503 (ms). */
export const BUSY_TIMEOUT_MS_DEFAULT: number = busyTimeoutMsDefault;
/** The outbox file's schema version (`PRAGMA user_version`) this package writes. */
export const SCHEMA_VERSION: number = schemaVersion;
