/**
 * The adapter `bun:sqlite` and `node:sqlite` share (sqlite-statement-driver.ts),
 * checked on Node through better-sqlite3, whose connection has the same
 * prepare/exec/close shape: the outbox contract on it (so its `BEGIN
 * IMMEDIATE` transactions and PRAGMA hooks carry the whole store), rollback,
 * lock errors and the mapping of numbered errors to SQLite's names. Inside
 * Bun, Deno and Node 26 the same contract runs in consumer/runtimes-stores.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  conversion,
  describeDeliveredCountsContract,
  describeOutboxContract,
} from '../test/outbox-contract.ts';
import { DEDUP_WINDOW_MS_DEFAULT } from './defaults.ts';
import { isStoreUnavailableError } from './errors.ts';
import { fileOutbox } from './sqlite-file.ts';
import { migrate, SCHEMA_VERSION } from './sqlite-schema.ts';
import { type RawConnection, sqliteCodeOf, statementDriver } from './sqlite-statement-driver.ts';

const dir = mkdtempSync(join(tmpdir(), 'twclid-driver-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const open = (path: string) => statementDriver(new Database(path) as unknown as RawConnection);
const store = () => fileOutbox(open, { path: join(dir, `c${n++}.db`) });

describeOutboxContract('statementDriver', store);
describeDeliveredCountsContract('statementDriver', store);

describe('statementDriver', () => {
  it('applies the durability settings and versions the schema through its hooks', () => {
    const path = join(dir, `h${n++}.db`);
    const driver = open(path);
    driver.configure?.({ synchronous: 'FULL', busyTimeoutMs: 1234 });
    migrate(driver);
    const raw = new Database(path);
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(driver.userVersion()).toBe(SCHEMA_VERSION);
      expect(driver.columns('outbox_events')).toEqual(
        expect.arrayContaining(['claim_token', 'origin']),
      );
      expect(driver.columns('no_such_table')).toEqual([]);
    } finally {
      raw.close();
      driver.close();
      driver.close();
    }
    expect(driver.open).toBe(false);
  });

  it('rolls a write transaction back when its function throws, and stays usable', () => {
    const driver = open(':memory:');
    driver.exec('CREATE TABLE t (v INTEGER)');
    const insert = driver.prepare<{ v: number }>('INSERT INTO t (v) VALUES (@v)');
    const count = driver.prepare<Record<string, never>, { n: number }>(
      'SELECT COUNT(*) AS n FROM t',
    );
    const tx = driver.writeTransaction((v: number) => {
      insert.run({ v });
      if (v < 0) throw new Error('refused');
      return insert.run({ v }).lastInsertRowid;
    });
    expect(() => tx(-1)).toThrow('refused');
    expect(count.get()?.n).toBe(0);
    expect(tx(1)).toBe(2);
    expect(count.get()?.n).toBe(2);
    expect(driver.prepare('SELECT 1 WHERE 0').get()).toBeUndefined();
    driver.close();
  });

  it("a lock held by another connection past the busy timeout is StoreUnavailableError (the kit's 503)", async () => {
    const path = join(dir, `l${n++}.db`);
    const outbox = fileOutbox(open, { path, busyTimeoutMs: 50 });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      const put = outbox.enqueue({
        pixelId: 'o8z6j',
        account: 'a',
        conversion: conversion(),
        now: 1,
        dedupWindowMs: DEDUP_WINDOW_MS_DEFAULT,
      });
      const error = await put.catch((e: unknown) => e);
      expect(isStoreUnavailableError(error)).toBe(true);
      expect((error as Error).message).toContain('SQLITE_BUSY');
    } finally {
      other.exec('ROLLBACK');
      other.close();
      await outbox.close();
    }
  });
});

describe('sqliteCodeOf', () => {
  it('keeps a SQLITE_ name, and names numbered errors by their primary code (sqlite.org/rescode.html)', () => {
    expect(sqliteCodeOf({ code: 'SQLITE_FULL' })).toBe('SQLITE_FULL');
    // node:sqlite: code ERR_SQLITE_ERROR, the number in errcode; 517 is SQLITE_BUSY_SNAPSHOT.
    expect(sqliteCodeOf({ code: 'ERR_SQLITE_ERROR', errcode: 517 })).toBe('SQLITE_BUSY');
    // bun:sqlite: the number in errno; 778 is SQLITE_IOERR_WRITE.
    expect(sqliteCodeOf({ errno: 778 })).toBe('SQLITE_IOERR');
    expect(sqliteCodeOf({ errno: 19 })).toBe('SQLITE_ERROR_19');
    expect(sqliteCodeOf(new Error('database is locked'))).toBe('SQLITE_BUSY');
    expect(sqliteCodeOf(new Error('no such table: x'))).toBeUndefined();
    expect(sqliteCodeOf(null)).toBeUndefined();
  });

  it('never throws, and any number it names is SQLITE_… (property)', () => {
    fc.assert(
      fc.property(fc.anything(), fc.integer(), (thing, errno) => {
        const code = sqliteCodeOf(thing);
        expect(code === undefined || code.startsWith('SQLITE_')).toBe(true);
        expect(sqliteCodeOf({ errno })).toMatch(/^SQLITE_/);
      }),
    );
  });
});

describe('the store on a driver', () => {
  it('imports nothing Node-only, so a Durable Object can run it (sqlite-store.ts and what it imports)', () => {
    const seen = new Set<string>();
    const bare: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(new URL(file, import.meta.url), 'utf8');
      for (const [, spec = ''] of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        if (spec.startsWith('./')) visit(spec);
        else bare.push(spec);
      }
    };
    visit('./sqlite-store.ts');
    expect(seen.size).toBeGreaterThan(3);
    expect(bare.filter((spec) => spec.startsWith('node:') || spec === 'better-sqlite3')).toEqual(
      [],
    );
  });
});
