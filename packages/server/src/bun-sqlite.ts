/**
 * `@twclid-kit/server/bun-sqlite`: the embedded durable outbox on Bun, through
 * its built-in `bun:sqlite`: the same store, schema and durability as
 * `@twclid-kit/server/sqlite` (WAL, `synchronous = FULL`, busy timeout, a
 * private file; several processes may share it), without a native addon.
 *
 * Its declarations name no Bun type, so an app type-checks without
 * `bun-types`.
 */
import type { OutboxStore } from './outbox.ts';
import { fileOutbox, type SqliteFileOptions } from './sqlite-file.ts';
import { type RawConnection, statementDriver } from './sqlite-statement-driver.ts';

export { isStoreUnavailableError, StoreUnavailableError } from './errors.ts';
export { OUTBOX_DB_DEFAULT, resolveOutboxPath } from './sqlite-file.ts';

/** Where the outbox file is and how durable its commits are. */
export type BunSqliteOutboxOptions = SqliteFileOptions;

/** `bun:sqlite`'s constructor, as much of it as this entry uses. */
type BunDatabase = new (
  path: string,
  // `strict`: parameters bind from bare names (`{ now }` for `@now`), as the driver's dialect.
  options: { create: boolean; readwrite: boolean; strict: boolean },
) => RawConnection;

async function load(): Promise<BunDatabase> {
  // A variable specifier: no bundler or type checker outside Bun resolves it.
  const specifier = 'bun:sqlite';
  try {
    return ((await import(specifier)) as { Database: BunDatabase }).Database;
  } catch (cause) {
    throw new Error('@twclid-kit/server/bun-sqlite runs on Bun only (it uses bun:sqlite)', {
      cause,
    });
  }
}

const Database = await load();

/**
 * Opens (creating or upgrading if needed) the SQLite outbox through `bun:sqlite`.
 *
 * @example
 * ```ts
 * import { bunSqliteOutbox } from '@twclid-kit/server/bun-sqlite';
 * const store = bunSqliteOutbox(); // TWCLID_KIT_DB or ./.twclid-kit/outbox.db
 * ```
 */
export function bunSqliteOutbox(options: BunSqliteOutboxOptions = {}): OutboxStore {
  return fileOutbox(
    (path) => statementDriver(new Database(path, { create: true, readwrite: true, strict: true })),
    options,
  );
}
