/**
 * `@twclid-kit/server/node-sqlite`: the embedded durable outbox through the
 * runtime's built-in `node:sqlite` (`DatabaseSync`): Deno 2.x, and Node from
 * 22.13 (where it needs no flag). The same store, schema and durability as `@twclid-kit/server/sqlite`
 * (WAL, `synchronous = FULL`, busy timeout, a private file; several processes
 * may share it), without a native addon.
 *
 * Deno needs `--allow-read` and `--allow-write` for the file (and
 * `--allow-env` for `TWCLID_KIT_DB`). Its declarations name no `node:sqlite`
 * type, so an app type-checks with any `@types/node`.
 */
import type { OutboxStore } from './outbox.ts';
import { fileOutbox, type SqliteFileOptions } from './sqlite-file.ts';
import { type RawConnection, statementDriver } from './sqlite-statement-driver.ts';

export { isStoreUnavailableError, StoreUnavailableError } from './errors.ts';
export { OUTBOX_DB_DEFAULT, resolveOutboxPath } from './sqlite-file.ts';

/** Where the outbox file is and how durable its commits are. */
export type NodeSqliteOutboxOptions = SqliteFileOptions;

/** `node:sqlite`'s `DatabaseSync`, as much of it as this entry uses. */
type DatabaseSync = new (path: string) => RawConnection;

async function load(): Promise<DatabaseSync> {
  // A variable specifier: type checkers and bundlers leave it to the runtime.
  const specifier = 'node:sqlite';
  try {
    return ((await import(specifier)) as { DatabaseSync: DatabaseSync }).DatabaseSync;
  } catch (cause) {
    throw new Error(
      '@twclid-kit/server/node-sqlite needs node:sqlite (Deno 2.x, Node 22.13 or later)',
      { cause },
    );
  }
}

const DatabaseSync = await load();

/**
 * Opens (creating or upgrading if needed) the SQLite outbox through `node:sqlite`.
 *
 * @example
 * ```ts
 * import { nodeSqliteOutbox } from '@twclid-kit/server/node-sqlite';
 * const store = nodeSqliteOutbox(); // TWCLID_KIT_DB or ./.twclid-kit/outbox.db
 * ```
 */
export function nodeSqliteOutbox(options: NodeSqliteOutboxOptions = {}): OutboxStore {
  return fileOutbox((path) => statementDriver(new DatabaseSync(path)), options);
}
