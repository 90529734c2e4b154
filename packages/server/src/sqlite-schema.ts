/**
 * The SQLite file's schema, its migrations and the rules every write follows
 * when several processes share the file (Node's cluster module, PM2).
 *
 * - Every write runs in a `BEGIN IMMEDIATE` transaction: it takes the write lock
 *   before reading, so a read-then-write never fails half-way with "database is
 *   locked", and waits up to the busy timeout for a lock another process holds.
 * - A lock held past the timeout, a full disk or an I/O error becomes a
 *   `StoreUnavailableError` (the kit answers 503 with `Retry-After`).
 * - The schema is versioned with the driver's `userVersion()` (`PRAGMA
 *   user_version` where the library allows it); each migration runs
 *   once, inside an immediate transaction, so processes starting together on
 *   one file do not race, and a file written by an older version is upgraded in
 *   place without losing rows.
 */
import { DELIVERED_COUNTS_DDL } from './delivered-counts-sqlite.ts';
import { StoreUnavailableError } from './errors.ts';
import type { SqliteDriver } from './sqlite-driver.ts';

type Db = SqliteDriver;

/** How long a write waits for a lock held by another process before it gives up. */
export const BUSY_TIMEOUT_MS_DEFAULT = 5000;

/** Version 0: the outbox as first released (no claim tokens, no shared budget). */
const V0 = `
CREATE TABLE IF NOT EXISTS outbox_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  pixel_id TEXT NOT NULL,
  account TEXT NOT NULL,
  dedup_key TEXT,
  payload TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'delivered', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_dedup ON outbox_events (dedup_key, created_at)
  WHERE dedup_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS outbox_due ON outbox_events (state, pixel_id, account, next_attempt_at);
`;

/**
 * Version 1: claim tokens, and X's budget shared by every process on the file
 * (spends in the rolling window, and pauses until X's reset).
 */
const V1 = `
CREATE TABLE IF NOT EXISTS x_budget_spends (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account TEXT NOT NULL,
  at INTEGER NOT NULL,
  count INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS x_budget_spends_window ON x_budget_spends (account, at);
CREATE TABLE IF NOT EXISTS x_account_pauses (
  account TEXT PRIMARY KEY,
  until INTEGER NOT NULL
);
`;

/**
 * Version 3: who vouched for each event (outbox.ts `ConversionOrigin`; rows
 * written before are the server's, as only the server wrote then), and the
 * index that keeps claims (server rows first, each origin oldest first) and
 * the backlog count per origin cheap: open rows only.
 */
const V3 = `
CREATE INDEX IF NOT EXISTS outbox_open ON outbox_events (origin, pixel_id, account, id)
  WHERE state IN ('pending', 'in_flight');
`;

/** Migrations in order; the file's `user_version` says how many have run. */
const MIGRATIONS: readonly ((db: Db) => void)[] = [
  (db) => db.exec(V0),
  (db) => {
    // Idempotent, like V0's IF NOT EXISTS: a file may hold the column already.
    if (!hasColumn(db, 'outbox_events', 'claim_token'))
      db.exec('ALTER TABLE outbox_events ADD COLUMN claim_token TEXT');
    db.exec(V1);
  },
  // Version 2: delivered counts per tag and hour, kept after purges.
  (db) => db.exec(DELIVERED_COUNTS_DDL),
  (db) => {
    if (!hasColumn(db, 'outbox_events', 'origin'))
      db.exec(
        `ALTER TABLE outbox_events ADD COLUMN origin TEXT NOT NULL DEFAULT 'server'
           CHECK (origin IN ('server', 'browser'))`,
      );
    db.exec(V3);
  },
];
export const SCHEMA_VERSION = MIGRATIONS.length;

const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|READONLY|PROTOCOL)/;

/** `true` for SQLite failures that pass (a lock, a full disk), as opposed to bugs. */
export function isTransientSqliteError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UNAVAILABLE.test(code);
}

/** Runs `fn`, turning a transient SQLite failure into a `StoreUnavailableError`. */
export function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (!isTransientSqliteError(error)) throw error;
    const code = (error as { code: string }).code;
    throw new StoreUnavailableError(`The outbox is unavailable (${code})`, {
      cause: error,
      retryAfterS: code.startsWith('SQLITE_FULL') ? 30 : 1,
    });
  }
}

/** A write transaction that takes the lock first (`BEGIN IMMEDIATE`), guarded. */
export function writeTx<A extends unknown[], R>(db: Db, fn: (...args: A) => R): (...args: A) => R {
  const tx = db.writeTransaction(fn);
  return (...args: A) => guarded(() => tx(...args));
}

/** Brings the file's schema to `SCHEMA_VERSION`; a file already there is only read. */
export function migrate(db: Db): void {
  const version = () => db.userVersion();
  if (version() >= SCHEMA_VERSION) return;
  writeTx(db, () => {
    // Another process may have migrated while this one waited for the lock.
    const from = version();
    for (let v = from; v < SCHEMA_VERSION; v++) (MIGRATIONS[v] as (db: Db) => void)(db);
    if (from < SCHEMA_VERSION) db.setUserVersion(SCHEMA_VERSION);
  })();
}

function hasColumn(db: Db, table: string, column: string): boolean {
  return db.columns(table).includes(column);
}
