/**
 * A Durable Object's SQLite storage (`ctx.storage.sql`) as a `SqliteDriver`
 * (sqlite-driver.ts), so the SQLite outbox runs inside the object unchanged.
 *
 * What the platform differs in, and how this adapter covers it:
 *
 * - `sql.exec(query, ...bindings)` binds positional `?` only: each `@name`
 *   of the store's SQL becomes a `?` once, at `prepare()`, and each run
 *   orders its values by the names it recorded.
 * - `BEGIN`/`COMMIT` are refused: `writeTransaction()` is
 *   `storage.transactionSync()`, which commits when the function returns and
 *   rolls back when it throws. An object runs one call at a time, so nothing
 *   else can take a lock in between.
 * - `PRAGMA user_version` is refused: the schema version is a row of its own
 *   table. `PRAGMA table_info` is allowed and gives `columns()`.
 * - Journal mode, `synchronous` and busy timeouts are the platform's: a write
 *   is durable once the call that made it returns, so there is no
 *   `configure()`.
 * - A cursor's `rowsWritten` counts index rows too, so `changes` and
 *   `lastInsertRowid` come from SQLite's own `changes()` and
 *   `last_insert_rowid()`.
 * - Errors name SQLite's result code in the message only
 *   (`…: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_CHECK)`): the code is
 *   copied to `error.code`, which the store reads (sqlite-schema.ts `guarded`).
 *
 * The types here are the few members used, typed loosely, so the package's
 * declarations need no `@cloudflare/workers-types`.
 */
import type {
  SqliteDriver,
  SqlParams,
  SqlRunResult,
  SqlStatement,
  SqlValue,
} from '../sqlite-driver.ts';

/** The part of a `SqlStorageCursor` this adapter reads. */
export interface SqlCursorLike {
  toArray(): Record<string, unknown>[];
}

/** The part of `ctx.storage.sql` this adapter uses. */
export interface SqlStorageLike {
  exec(query: string, ...bindings: unknown[]): SqlCursorLike;
}

/** The part of a Durable Object's `ctx.storage` this adapter uses. */
export interface DurableObjectStorageLike {
  sql: SqlStorageLike;
  transactionSync<T>(fn: () => T): T;
}

/** The table that holds the schema version in place of `PRAGMA user_version`. */
export const SCHEMA_VERSION_TABLE = 'twclid_schema_version';

/**
 * `@name` → `?`, outside string literals and quoted identifiers; returns the
 * rewritten SQL and the names in binding order (a name used twice is bound twice).
 */
export function positionalSql(sql: string): { sql: string; names: string[] } {
  const names: string[] = [];
  const rewritten = sql.replace(
    /'(?:[^']|'')*'|"(?:[^"]|"")*"|@([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, name: string | undefined) => {
      if (name === undefined) return match;
      names.push(name);
      return '?';
    },
  );
  return { sql: rewritten, names };
}

const CODE = /\b(SQLITE_[A-Z_]+)\b(?:\s*\(extended:\s*(SQLITE_[A-Z_]+)\))?/;

/** Copies the SQLite result code named in a storage error's message to `error.code`. */
export function withSqliteCode(error: unknown): unknown {
  if (!(error instanceof Error) || typeof (error as { code?: unknown }).code === 'string') {
    return error;
  }
  const match = CODE.exec(error.message);
  if (!match) return error;
  const code = match[2] ?? match[1];
  try {
    Object.defineProperty(error, 'code', { value: code, configurable: true, enumerable: true });
    return error;
  } catch {
    return Object.assign(new Error(error.message, { cause: error }), { code });
  }
}

function values(names: readonly string[], params: SqlParams | undefined): SqlValue[] {
  return names.map((name) => {
    const value = params?.[name];
    if (value === undefined) throw new TypeError(`SQL parameter @${name} has no value`);
    return value;
  });
}

/** Wraps the storage of a Durable Object whose class was created with SQLite storage. */
export function durableObjectSqlDriver(storage: DurableObjectStorageLike): SqliteDriver {
  const sql = storage.sql;
  let open = true;
  const exec = (query: string, bindings: readonly unknown[] = []) => {
    try {
      return sql.exec(query, ...bindings).toArray();
    } catch (error) {
      throw withSqliteCode(error);
    }
  };
  let versionTable = false;
  const ensureVersionTable = () => {
    if (versionTable) return;
    exec(
      `CREATE TABLE IF NOT EXISTS ${SCHEMA_VERSION_TABLE} (
         id INTEGER PRIMARY KEY CHECK (id = 1),
         version INTEGER NOT NULL
       )`,
    );
    versionTable = true;
  };
  return {
    prepare<P extends SqlParams = SqlParams, R = unknown>(text: string): SqlStatement<P, R> {
      const { sql: query, names } = positionalSql(text);
      return {
        run(params?: P): SqlRunResult {
          exec(query, values(names, params));
          const row = exec('SELECT changes() AS changes, last_insert_rowid() AS rowid')[0];
          return { changes: Number(row?.changes ?? 0), lastInsertRowid: Number(row?.rowid ?? 0) };
        },
        get: (params?: P) => exec(query, values(names, params))[0] as R | undefined,
        all: (params?: P) => exec(query, values(names, params)) as R[],
      };
    },
    exec(text) {
      exec(text);
    },
    writeTransaction<A extends unknown[], R>(fn: (...args: A) => R) {
      return (...args: A): R => {
        try {
          return storage.transactionSync(() => fn(...args));
        } catch (error) {
          throw withSqliteCode(error);
        }
      };
    },
    userVersion() {
      ensureVersionTable();
      const row = exec(`SELECT version FROM ${SCHEMA_VERSION_TABLE} WHERE id = 1`)[0];
      return Number(row?.version ?? 0);
    },
    setUserVersion(version) {
      ensureVersionTable();
      exec(
        `INSERT INTO ${SCHEMA_VERSION_TABLE} (id, version) VALUES (1, ?)
         ON CONFLICT (id) DO UPDATE SET version = excluded.version`,
        [Math.trunc(version)],
      );
    },
    columns: (table) =>
      exec('SELECT name FROM pragma_table_info(?)', [table]).map((row) => String(row.name)),
    get open() {
      return open;
    },
    // The storage belongs to the object and outlives this wrapper.
    close() {
      open = false;
    },
  };
}
