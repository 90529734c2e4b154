/**
 * The SQLite outbox on a file, whichever library opens it (better-sqlite3,
 * `bun:sqlite`, `node:sqlite`): where the file is, creating it privately,
 * durability settings, migration, and X's budget on a second connection.
 * Uses `node:fs`, which Node, Bun and Deno all provide.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEFAULT_DB_PATH } from './config.ts';
import type { OutboxStore } from './outbox.ts';
import type { SqliteDriver } from './sqlite-driver.ts';
import { BUSY_TIMEOUT_MS_DEFAULT, guarded, migrate } from './sqlite-schema.ts';
import { driverOutbox } from './sqlite-store.ts';

/** Default database file (env `TWCLID_KIT_DB` overrides it); the same value `configFromEnv()` uses. */
export const OUTBOX_DB_DEFAULT = DEFAULT_DB_PATH;

/** Options every file-backed SQLite outbox takes. */
export interface SqliteFileOptions {
  /**
   * Database file. Default: env `TWCLID_KIT_DB`, else `./.twclid-kit/outbox.db`.
   * Its directory is created. `:memory:` is accepted (tests).
   */
  path?: string;
  /** `FULL` (default: durable across power loss) or `NORMAL` (durable across process crashes). */
  synchronous?: 'FULL' | 'NORMAL';
  /**
   * How long a write waits for another process's lock before it fails with a
   * `StoreUnavailableError` (the kit answers 503 with `Retry-After`). Default 5000 ms.
   */
  busyTimeoutMs?: number;
}

/** Resolves the database file: option, then `TWCLID_KIT_DB`, then the default. */
export function resolveOutboxPath(path?: string): string {
  return path ?? process.env.TWCLID_KIT_DB ?? OUTBOX_DB_DEFAULT;
}

/**
 * Creates what is missing of the database's folder (0700) and file (0600): the
 * rows hold hashed identifiers, IP addresses and user agents, which other local
 * users have no reason to read. SQLite gives the `-wal` and `-shm` files the
 * database file's permissions. Existing folders and files keep theirs.
 */
function createPrivately(path: string): void {
  mkdirSync(dirname(resolve(path)), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** Opens one connection to an existing file (or `:memory:`). */
export type OpenSqliteFile = (path: string, busyTimeoutMs: number) => SqliteDriver;

/**
 * Opens (creating or upgrading if needed) the outbox file through `open`.
 *
 * X's budget gets its own connection with `synchronous = NORMAL`: a spend is
 * written before every request, and losing the last spends to a power loss
 * only means a few events fewer budgeted, so it need not wait for an fsync
 * as an accepted event does. (`:memory:` has one database per connection.)
 */
export function fileOutbox(open: OpenSqliteFile, options: SqliteFileOptions = {}): OutboxStore {
  const path = resolveOutboxPath(options.path);
  const busyTimeoutMs = options.busyTimeoutMs ?? BUSY_TIMEOUT_MS_DEFAULT;
  const connect = (synchronous: 'FULL' | 'NORMAL'): SqliteDriver => {
    if (path !== ':memory:') createPrivately(path);
    return guarded(() => {
      const db = open(path, busyTimeoutMs);
      try {
        db.configure?.({ synchronous, busyTimeoutMs });
        migrate(db);
      } catch (error) {
        db.close();
        throw error;
      }
      return db;
    });
  };
  const driver = connect(options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL');
  const budgetDriver = path === ':memory:' ? undefined : () => connect('NORMAL');
  return driverOutbox({ driver, budgetDriver });
}
