/**
 * `@twclid-kit/server/sqlite`: the embedded durable outbox (Node only, through
 * better-sqlite3) and the Node signal helper. Kept out of the main entry so the
 * route and dispatcher run on edge runtimes with `memoryOutbox()`.
 */

export { isStoreUnavailableError, StoreUnavailableError } from './errors.ts';
export type { SqliteOutboxOptions } from './outbox-sqlite.ts';
export { OUTBOX_DB_DEFAULT, resolveOutboxPath, sqliteOutbox } from './outbox-sqlite.ts';
export { sqliteRateBudget } from './rate-budget-sqlite.ts';
export { BUSY_TIMEOUT_MS_DEFAULT, SCHEMA_VERSION } from './sqlite-schema.ts';
