/**
 * A `SqliteDriver` (sqlite-driver.ts) over the libraries built into runtimes,
 * `bun:sqlite` and `node:sqlite`: both prepare statements with `run`/`get`/
 * `all` and take PRAGMAs, so one adapter serves them; each entry only says
 * how to open its library (bun-sqlite.ts, node-sqlite.ts).
 *
 * Their errors name SQLite's failure by number (`errcode`/`errno`) or by a
 * code of their own (`ERR_SQLITE_ERROR`), so they are rethrown with the
 * `SQLITE_…` name the store classifies (sqlite-schema.ts `guarded`).
 */
import type {
  SqliteDriver,
  SqlParams,
  SqlRunResult,
  SqlStatement,
  SqlValue,
} from './sqlite-driver.ts';

/** A statement as `bun:sqlite` and `node:sqlite` prepare it (typed loosely: no runtime types needed). */
export interface RawStatement {
  run(params?: object): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(params?: object): unknown;
  all(params?: object): unknown[];
}

/** What the adapter needs of an open connection. */
export interface RawConnection {
  prepare(sql: string): RawStatement;
  exec(sql: string): void;
  close(): void;
}

/** SQLite's primary result codes the store tells apart (https://sqlite.org/rescode.html). */
const PRIMARY: Readonly<Record<number, string>> = {
  5: 'SQLITE_BUSY',
  6: 'SQLITE_LOCKED',
  8: 'SQLITE_READONLY',
  10: 'SQLITE_IOERR',
  13: 'SQLITE_FULL',
  14: 'SQLITE_CANTOPEN',
  15: 'SQLITE_PROTOCOL',
};

/** The `SQLITE_…` name of a library error, when it says which failure it is. */
export function sqliteCodeOf(error: unknown): string | undefined {
  const e = error as { code?: unknown; errcode?: unknown; errno?: unknown } | null;
  if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_')) return e.code;
  const n = typeof e?.errcode === 'number' ? e.errcode : e?.errno;
  if (typeof n === 'number') return PRIMARY[n & 0xff] ?? `SQLITE_ERROR_${n}`;
  const message = error instanceof Error ? error.message : '';
  if (/database is locked/i.test(message)) return 'SQLITE_BUSY';
  return undefined;
}

/** Rethrows a library error with its `SQLITE_…` name in `code`. */
function rethrow(error: unknown): never {
  const code = sqliteCodeOf(error);
  if (code === undefined || (error as { code?: unknown }).code === code) throw error;
  const message = error instanceof Error ? error.message : String(error);
  throw Object.assign(new Error(message, { cause: error }), { code });
}

function statement<P extends SqlParams, R>(raw: RawStatement): SqlStatement<P, R> {
  return {
    run(params?: P): SqlRunResult {
      try {
        const r = params === undefined ? raw.run() : raw.run(params);
        return { changes: Number(r.changes), lastInsertRowid: Number(r.lastInsertRowid) };
      } catch (error) {
        rethrow(error);
      }
    },
    get(params?: P): R | undefined {
      try {
        // bun:sqlite answers `null` for no row.
        return ((params === undefined ? raw.get() : raw.get(params)) ?? undefined) as R | undefined;
      } catch (error) {
        rethrow(error);
      }
    },
    all(params?: P): R[] {
      try {
        return (params === undefined ? raw.all() : raw.all(params)) as R[];
      } catch (error) {
        rethrow(error);
      }
    },
  };
}

/** The driver over an open connection (`BEGIN IMMEDIATE` transactions, PRAGMAs for the hooks). */
export function statementDriver(db: RawConnection): SqliteDriver {
  let open = true;
  const run = (sql: string) => {
    try {
      db.exec(sql);
    } catch (error) {
      rethrow(error);
    }
  };
  const pragma = <R>(sql: string) => statement<SqlParams, R>(db.prepare(sql));
  return {
    prepare: <P extends SqlParams, R>(sql: string) => statement<P, R>(db.prepare(sql)),
    exec: run,
    writeTransaction<A extends unknown[], R>(fn: (...args: A) => R) {
      // Prepared once per transaction function, not parsed per call.
      const begin = pragma('BEGIN IMMEDIATE');
      const commit = pragma('COMMIT');
      const rollback = pragma('ROLLBACK');
      return (...args: A): R => {
        begin.run();
        try {
          const result = fn(...args);
          commit.run();
          return result;
        } catch (error) {
          // A failed COMMIT (a full disk) leaves the transaction open too.
          try {
            rollback.run();
          } catch {
            // Nothing was open any more: the error that matters is `error`.
          }
          throw error;
        }
      };
    },
    userVersion: () =>
      Number(pragma<{ user_version: SqlValue }>('PRAGMA user_version').get()?.user_version ?? 0),
    setUserVersion: (version) => run(`PRAGMA user_version = ${Math.trunc(version)}`),
    columns: (table) =>
      pragma<{ name: string }>(`PRAGMA table_info(${JSON.stringify(table)})`)
        .all()
        .map((c) => c.name),
    configure({ synchronous, busyTimeoutMs }) {
      run(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
      run('PRAGMA journal_mode = WAL');
      run(`PRAGMA synchronous = ${synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
    },
    get open() {
      return open;
    },
    close() {
      if (!open) return;
      open = false;
      db.close();
    },
  };
}
