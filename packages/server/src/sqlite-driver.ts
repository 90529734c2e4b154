/**
 * The small synchronous surface the SQLite outbox needs from a SQLite library,
 * so one store (outbox-sqlite-rows.ts, sqlite-schema.ts, rate-budget-sqlite.ts,
 * delivered-counts-sqlite.ts) runs on better-sqlite3 (Node), `bun:sqlite`
 * (Bun), `node:sqlite` (Deno 2.x, Node ≥ 22.13) and a Durable Object's SQLite
 * storage (Cloudflare Workers).
 *
 * The store writes one dialect; each adapter turns it into its library's:
 *
 * - **Parameters** are named, written `@name` in the SQL, and bound from an
 *   object whose keys are the bare names (`{ name: 1 }`), each key used by the
 *   statement. An adapter whose library binds positional `?` only (a Durable
 *   Object's `ctx.storage.sql.exec(query, ...bindings)`) rewrites the SQL once
 *   at `prepare()` and orders the values per call. Values are strings, finite
 *   numbers and `null`; integers come back as `number`.
 * - **Statements** are prepared once and run many times (the ingest path
 *   allocates nothing per statement).
 * - **Transactions** go through `writeTransaction()` only: the store never
 *   writes `BEGIN`/`COMMIT` (a Durable Object refuses them; its adapter uses
 *   `ctx.storage.transactionSync(fn)`). The lock is taken first, as with
 *   `BEGIN IMMEDIATE`, so a read-then-write never fails half-way on a lock.
 *   Transactions are not nested.
 * - **PRAGMAs** are never in the store's SQL (a Durable Object refuses most of
 *   them): the schema version is `userVersion()`/`setUserVersion()` (an adapter
 *   without `PRAGMA user_version` keeps it in a table), a table's columns are
 *   `columns()`, and journal mode, `synchronous` and the busy timeout are the
 *   optional `configure()` (a no-op where the platform decides durability).
 * - **Errors** thrown for SQLite failures carry SQLite's result code name in
 *   `code` (`SQLITE_BUSY`, `SQLITE_FULL`, extended names such as
 *   `SQLITE_IOERR_WRITE` allowed), as better-sqlite3 does: the store turns the
 *   transient ones into a `StoreUnavailableError` (sqlite-schema.ts `guarded`).
 *   An adapter whose library reports numbers maps them.
 * - **SQL** is SQLite's own, including `json_remove`, `ON CONFLICT … DO UPDATE`,
 *   partial indexes and `ALTER TABLE … ADD COLUMN`.
 */

/** A value bound to, or read from, a column. */
export type SqlValue = string | number | null;

/** Named parameters, keyed by their bare names (`@now` in the SQL is `{ now }`). */
export type SqlParams = Readonly<Record<string, SqlValue>>;

/** What a write changed. */
export interface SqlRunResult {
  /** Rows inserted, updated or deleted by this statement. */
  changes: number;
  /** Row ID of the last inserted row (meaningful after an `INSERT`). */
  lastInsertRowid: number;
}

/** A prepared statement; `P` its parameters, `R` the row it reads. */
export interface SqlStatement<P extends SqlParams = SqlParams, R = unknown> {
  run(params?: P): SqlRunResult;
  /** The first row, or `undefined`. */
  get(params?: P): R | undefined;
  all(params?: P): R[];
}

/** Durability settings an adapter applies when its platform lets the app choose. */
export interface SqliteConfigure {
  /** `FULL`: every commit fsyncs (survives power loss); `NORMAL`: survives process crashes. */
  synchronous: 'FULL' | 'NORMAL';
  /** How long a write waits for another connection's lock before `SQLITE_BUSY` (ms). */
  busyTimeoutMs: number;
}

/** One open connection, as the SQLite store uses it. */
export interface SqliteDriver {
  /** Prepares `sql` (one statement, `@name` parameters) once, for many runs. */
  prepare<P extends SqlParams = SqlParams, R = unknown>(sql: string): SqlStatement<P, R>;
  /** Runs one or more statements without parameters (schema DDL). */
  exec(sql: string): void;
  /**
   * Wraps `fn` in a write transaction that takes the write lock before `fn`
   * reads (`BEGIN IMMEDIATE`), commits when it returns and rolls back when it
   * throws (rethrowing). Build once, call many times.
   */
  writeTransaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  /** The schema version the store last wrote (0 for a new database). */
  userVersion(): number;
  /** Records the schema version; called inside a write transaction. */
  setUserVersion(version: number): void;
  /** Column names of `table` (empty when the table does not exist). */
  columns(table: string): string[];
  /**
   * WAL journal, `synchronous` and busy timeout, applied once after opening,
   * before the schema is read. Optional: absent where the platform decides.
   */
  configure?(settings: SqliteConfigure): void;
  /** `false` once closed. */
  readonly open: boolean;
  /** Closes the connection; a second call does nothing. */
  close(): void;
}
