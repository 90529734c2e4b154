/**
 * better-sqlite3 as a `SqliteDriver` (sqlite-driver.ts). Its own dialect is
 * the driver's (`@name` parameters bound from bare names, errors with
 * `code: 'SQLITE_…'`), so its statements are handed out as they are: nothing
 * is added per call on the ingest path.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { Database } from './better-sqlite3.ts';
import type { SqliteDriver, SqlParams, SqlStatement } from './sqlite-driver.ts';

/** Wraps an open better-sqlite3 connection. */
export function betterSqlite3Driver(db: BetterSqlite3.Database): SqliteDriver {
  return {
    // Integers come back as numbers (no `safeIntegers`), as the interface says.
    prepare: <P extends SqlParams, R>(sql: string) =>
      db.prepare(sql) as unknown as SqlStatement<P, R>,
    exec: (sql) => void db.exec(sql),
    writeTransaction<A extends unknown[], R>(fn: (...args: A) => R) {
      const tx = db.transaction(fn);
      return (...args: A) => tx.immediate(...args);
    },
    userVersion: () => db.pragma('user_version', { simple: true }) as number,
    setUserVersion: (version) => void db.pragma(`user_version = ${Math.trunc(version)}`),
    columns: (table) =>
      (db.pragma(`table_info(${JSON.stringify(table)})`) as { name: string }[]).map((c) => c.name),
    configure({ synchronous, busyTimeoutMs }) {
      db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
    },
    get open() {
      return db.open;
    },
    close: () => {
      if (db.open) db.close();
    },
  };
}

/** Opens `path` through better-sqlite3 (the file exists; sqlite-file.ts creates it). */
export function openBetterSqlite3(path: string, busyTimeoutMs: number): SqliteDriver {
  return betterSqlite3Driver(new Database(path, { timeout: busyTimeoutMs }));
}
