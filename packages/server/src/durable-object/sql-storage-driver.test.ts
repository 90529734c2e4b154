import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeDeliveredCountsContract,
  describeOutboxContract,
} from '../../test/outbox-contract.ts';
import { describeOriginContract } from '../../test/outbox-origin-contract.ts';
import { migrate, SCHEMA_VERSION } from '../sqlite-schema.ts';
import { driverOutbox } from '../sqlite-store.ts';
import {
  type DurableObjectStorageLike,
  durableObjectSqlDriver,
  positionalSql,
  withSqliteCode,
} from './sql-storage-driver.ts';

/**
 * `ctx.storage` as a Durable Object has it, on better-sqlite3: `exec` binds
 * positional values only and refuses what the object refuses (PRAGMA
 * user_version, BEGIN), with errors worded as workerd words them. The real
 * object runs the same suites in workerd (consumer/runtimes-durable-object.test.ts).
 */
function fakeStorage(): DurableObjectStorageLike & { db: Database.Database } {
  const db = new Database(':memory:');
  const refuse = (message: string) => {
    throw new Error(message);
  };
  return {
    db,
    sql: {
      exec(query: string, ...bindings: unknown[]) {
        if (/PRAGMA\s+user_version/i.test(query)) refuse('not authorized: SQLITE_AUTH');
        if (/^\s*(BEGIN|COMMIT|SAVEPOINT)/i.test(query))
          refuse('To execute a transaction, use transactionSync()');
        if (bindings.some((b) => typeof b === 'object' && b !== null)) refuse('bad binding');
        let rows: Record<string, unknown>[] = [];
        try {
          const statement = db.prepare(query);
          if (statement.reader) rows = statement.all(...bindings) as Record<string, unknown>[];
          else statement.run(...bindings);
        } catch (error) {
          const e = error as Error & { code?: string };
          if (/more than one statement/.test(e.message) && bindings.length === 0) db.exec(query);
          else refuse(`${e.message}: ${e.code ?? 'SQLITE_ERROR'}`);
        }
        return { toArray: () => rows };
      },
    },
    transactionSync: (fn) => db.transaction(fn)(),
  };
}

const peeks = new WeakMap<object, Database.Database>();
function open() {
  const storage = fakeStorage();
  const driver = durableObjectSqlDriver(storage);
  migrate(driver);
  const store = driverOutbox({ driver });
  peeks.set(store, storage.db);
  return store;
}

describeOutboxContract('durableObjectSqlDriver', open);
describeOriginContract('durableObjectSqlDriver', open, async (store, id) => {
  const row = peeks.get(store)?.prepare('SELECT payload FROM outbox_events WHERE id = ?').get(id) as
    | { payload: string }
    | undefined;
  return row && JSON.parse(row.payload);
});
describeDeliveredCountsContract('durableObjectSqlDriver', open);

describe('durableObjectSqlDriver', () => {
  it('keeps the schema version in its own table', () => {
    const storage = fakeStorage();
    const driver = durableObjectSqlDriver(storage);
    expect(driver.userVersion()).toBe(0);
    migrate(driver);
    expect(driver.userVersion()).toBe(SCHEMA_VERSION);
    expect(durableObjectSqlDriver(storage).userVersion()).toBe(SCHEMA_VERSION);
    expect(driver.columns('outbox_events')).toContain('origin');
    expect(driver.columns('no_such_table')).toEqual([]);
  });

  it('reports changes and the inserted row ID, not the index rows a cursor counts', () => {
    const driver = durableObjectSqlDriver(fakeStorage());
    driver.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX t_v ON t (v);');
    const insert = driver.prepare<{ v: string }>('INSERT INTO t (v) VALUES (@v)');
    expect(insert.run({ v: 'a' })).toEqual({ changes: 1, lastInsertRowid: 1 });
    expect(insert.run({ v: 'b' })).toEqual({ changes: 1, lastInsertRowid: 2 });
    const update = driver.prepare<{ v: string; w: string }>(
      'UPDATE t SET v = @w WHERE v = @v OR v = @w',
    );
    expect(update.run({ v: 'a', w: 'b' }).changes).toBe(2);
    expect(driver.prepare('SELECT v FROM t ORDER BY id').all()).toEqual([{ v: 'b' }, { v: 'b' }]);
    expect(() => update.run({ v: 'a' } as never)).toThrow('@w');
  });

  it('rolls a transaction back when its function throws', () => {
    const driver = durableObjectSqlDriver(fakeStorage());
    driver.exec('CREATE TABLE t (v TEXT)');
    const tx = driver.writeTransaction(() => {
      driver.prepare("INSERT INTO t (v) VALUES ('x')").run();
      throw new Error('boom');
    });
    expect(() => tx()).toThrow('boom');
    expect(driver.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 0 });
  });
});

describe('positionalSql', () => {
  it('turns each @name into ? in order, repeated names bound again, literals untouched', () => {
    expect(positionalSql('SELECT * FROM t WHERE a = @a AND b IN (\'@b\', "@c") OR a > @a')).toEqual(
      {
        sql: 'SELECT * FROM t WHERE a = ? AND b IN (\'@b\', "@c") OR a > ?',
        names: ['a', 'a'],
      },
    );
    expect(positionalSql("SELECT 'it''s @x', @y_1")).toEqual({
      sql: "SELECT 'it''s @x', ?",
      names: ['y_1'],
    });
  });

  it('binds exactly the names outside literals, for any mix (property)', () => {
    const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
    const literal = fc.string({ maxLength: 8 }).map((t) => `'${t.replaceAll("'", "''")}'`);
    const part = fc.oneof(
      name.map((n) => ({ text: `@${n}`, name: n as string | undefined })),
      literal.map((text) => ({ text, name: undefined })),
      fc.constantFrom(' = ', ', ', ' AND ', '(', ')').map((text) => ({ text, name: undefined })),
    );
    fc.assert(
      fc.property(fc.array(part, { maxLength: 12 }), (parts) => {
        // Parts joined by spaces, as SQL separates its tokens.
        const sql = parts.map((p) => p.text).join(' ');
        const out = positionalSql(sql);
        expect(out.names).toEqual(parts.flatMap((p) => (p.name ? [p.name] : [])));
        expect(out.sql).toBe(parts.map((p) => (p.name ? '?' : p.text)).join(' '));
      }),
    );
  });
});

describe('withSqliteCode', () => {
  // Messages as workerd (Miniflare 4.20260730) throws them from ctx.storage.sql.exec.
  it('copies the extended result code, else the primary one, to error.code', () => {
    const check = withSqliteCode(
      new Error(
        "CHECK constraint failed: v <> 'x': SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_CHECK)",
      ),
    );
    expect((check as { code?: string }).code).toBe('SQLITE_CONSTRAINT_CHECK');
    const auth = withSqliteCode(new Error('not authorized: SQLITE_AUTH'));
    expect((auth as { code?: string }).code).toBe('SQLITE_AUTH');
    const full = withSqliteCode(new Error('database or disk is full: SQLITE_FULL'));
    expect((full as { code?: string }).code).toBe('SQLITE_FULL');
  });

  it('leaves other errors as they are', () => {
    const plain = new Error('Durable Object reset because its code was updated.');
    expect(withSqliteCode(plain)).toBe(plain);
    expect((plain as { code?: string }).code).toBeUndefined();
    expect(withSqliteCode('text')).toBe('text');
  });
});
