/**
 * The embedded durable outbox: one SQLite file through better-sqlite3.
 *
 * Durability: WAL journal with `synchronous = FULL`, so every commit fsyncs the
 * WAL before `enqueue()` resolves; the route answers 2xx only after that, so an
 * accepted event survives a process kill *and* a power loss. (`NORMAL` with WAL
 * survives a process crash but may lose the last commits on power loss; it is
 * offered as an option for throughput, documented as such.) The enqueue check
 * and insert run in one transaction, so deduplication is atomic.
 *
 * Several processes may share the file (sqlite-schema.ts says how writes wait
 * for each other): claims carry a random token and a lease, so no process
 * settles or recovers another's live claim, and `rateBudget()` keeps X's budget
 * in the same file for all of them (rate-budget-sqlite.ts).
 *
 * Node-only: imported from `@twclid-kit/server/sqlite`, never from the main entry.
 * The store itself is sqlite-store.ts on better-sqlite3-driver.ts; sqlite-file.ts
 * opens the file.
 */
import { openBetterSqlite3 } from './better-sqlite3-driver.ts';
import type { OutboxStore } from './outbox.ts';
import { fileOutbox, type SqliteFileOptions } from './sqlite-file.ts';

export { OUTBOX_DB_DEFAULT, resolveOutboxPath } from './sqlite-file.ts';

/** Where the outbox file is and how durable its commits are. */
export type SqliteOutboxOptions = SqliteFileOptions;

/**
 * Opens (creating or upgrading if needed) the SQLite outbox.
 *
 * @example
 * ```ts
 * import { sqliteOutbox } from '@twclid-kit/server/sqlite';
 * const store = sqliteOutbox(); // TWCLID_KIT_DB or ./.twclid-kit/outbox.db
 * ```
 */
export function sqliteOutbox(options: SqliteOutboxOptions = {}): OutboxStore {
  return fileOutbox(openBetterSqlite3, options);
}
