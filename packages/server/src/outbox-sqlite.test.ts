import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  conversion,
  describeDeliveredCountsContract,
  describeOutboxContract,
} from '../test/outbox-contract.ts';
import { describeOriginContract } from '../test/outbox-origin-contract.ts';
import { DEDUP_WINDOW_MS_DEFAULT } from './defaults.ts';
import { claimRefs } from './outbox.ts';
import { resolveOutboxPath, sqliteOutbox } from './outbox-sqlite.ts';
import { SCHEMA_VERSION } from './sqlite-schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'twclid-outbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

describeOutboxContract('sqliteOutbox', () => sqliteOutbox({ path: join(dir, `t${n++}.db`) }));
const files = new WeakMap<object, string>();
describeOriginContract(
  'sqliteOutbox',
  () => {
    const path = join(dir, `t${n++}.db`);
    const store = sqliteOutbox({ path });
    files.set(store, path);
    return store;
  },
  // What the file itself holds, whatever the row's state.
  async (store, id) => {
    const db = new Database(files.get(store) as string, { readonly: true });
    try {
      const row = db.prepare('SELECT payload FROM outbox_events WHERE id = ?').get(id) as
        | { payload: string }
        | undefined;
      return row && JSON.parse(row.payload);
    } finally {
      db.close();
    }
  },
);
describeDeliveredCountsContract('sqliteOutbox', () =>
  sqliteOutbox({ path: join(dir, `t${n++}.db`) }),
);

describe('sqliteOutbox file handling', () => {
  it('creates its folder 0700 and the database, -wal and -shm 0600; existing ones keep their mode', async () => {
    const mode = (p: string) => statSync(p).mode & 0o777;
    const folder = join(dir, 'private', 'kit');
    const path = join(folder, 'outbox.db');
    const store = sqliteOutbox({ path });
    await store.enqueue({
      pixelId: 'o8z6j',
      account: 'a',
      conversion: conversion({ conversion_id: 'private' }),
      now: 1,
      dedupWindowMs: DEDUP_WINDOW_MS_DEFAULT,
    });
    expect(mode(join(dir, 'private'))).toBe(0o700);
    expect(mode(folder)).toBe(0o700);
    for (const file of [path, `${path}-wal`, `${path}-shm`]) expect(mode(file)).toBe(0o600);
    await store.close();

    const theirs = join(dir, 'theirs.db');
    writeFileSync(theirs, '');
    chmodSync(theirs, 0o640);
    const existing = sqliteOutbox({ path: theirs });
    expect(mode(theirs)).toBe(0o640);
    await existing.close();
  });

  it('creates the directory and keeps events across a reopen (new store instance)', async () => {
    const path = join(dir, 'nested', 'deeper', 'outbox.db');
    const first = sqliteOutbox({ path });
    const c = conversion({ conversion_id: 'keep-me' });
    await first.enqueue({
      pixelId: 'o8z6j',
      account: 'a',
      conversion: c,
      now: 1,
      dedupWindowMs: DEDUP_WINDOW_MS_DEFAULT,
    });
    await first.claim({ pixelId: 'o8z6j', account: 'a', limit: 1, now: 1, leaseMs: 60_000 });
    await first.close();

    const second = sqliteOutbox({ path });
    // The claim's lease (60 s) still holds: only an expired one is recovered.
    expect(await second.recoverInFlight(2)).toBe(0);
    expect(await second.recoverInFlight(60_001)).toBe(1);
    const [event] = await second.claim({
      pixelId: 'o8z6j',
      account: 'a',
      limit: 1,
      now: 60_001,
      leaseMs: 1,
    });
    expect(event?.conversion).toEqual(c);
    // The deduplication memory survives the restart too.
    const again = await second.enqueue({
      pixelId: 'o8z6j',
      account: 'a',
      conversion: c,
      now: 3,
      dedupWindowMs: DEDUP_WINDOW_MS_DEFAULT,
    });
    expect(again.duplicate).toBe(true);
    await second.close();
  });

  it('group-commits concurrent enqueues, deduplicating inside the group', async () => {
    const store = sqliteOutbox({ path: join(dir, 'group.db') });
    const c = conversion({ conversion_id: 'same' });
    const put = (x: typeof c) =>
      store.enqueue({
        pixelId: 'o8z6j',
        account: 'a',
        conversion: x,
        now: 1,
        dedupWindowMs: DEDUP_WINDOW_MS_DEFAULT,
      });
    const results = await Promise.all([
      put(c),
      put(c),
      ...Array.from({ length: 50 }, () => put(conversion())),
    ]);
    expect(results.filter((r) => r.duplicate)).toEqual([{ id: results[0]?.id, duplicate: true }]);
    expect(new Set(results.map((r) => r.id)).size).toBe(51);
    expect((await store.stats(1)).pending).toBe(51);
    await store.close();
  });

  it('two stores on one file: a browser row is taken over once, the other server copy is its duplicate', async () => {
    const path = join(dir, 'takeover.db');
    const a = sqliteOutbox({ path });
    const b = sqliteOutbox({ path });
    const put = (store: typeof a, origin: 'server' | 'browser', value: string) =>
      store.enqueue({
        pixelId: 'o8z6j',
        account: 'a',
        conversion: conversion({ conversion_id: 'order-5', value }),
        now: 1,
        dedupWindowMs: DEDUP_WINDOW_MS_DEFAULT,
        origin,
      });
    const browser = await put(a, 'browser', '0.01');
    const results = await Promise.all([put(a, 'server', '10.00'), put(b, 'server', '20.00')]);
    expect(results.map((r) => r.id)).toEqual([browser.id, browser.id]);
    expect(results.filter((r) => r.duplicate)).toHaveLength(1);
    expect(await a.countUndelivered?.()).toBe(1);
    const [event] = await b.claim({ pixelId: 'o8z6j', account: 'a', limit: 5, now: 2, leaseMs: 1 });
    expect(event?.origin).toBe('server');
    expect(['10.00', '20.00']).toContain(event?.conversion.value);
    await a.close();
    await b.close();
  });

  it('commits under fake timers (group commit uses the real setImmediate)', async () => {
    vi.useFakeTimers();
    try {
      const store = sqliteOutbox({ path: join(dir, 'fake-timers.db') });
      const result = await store.enqueue({
        pixelId: 'o8z6j',
        account: 'a',
        conversion: conversion(),
        now: 1,
        dedupWindowMs: DEDUP_WINDOW_MS_DEFAULT,
      });
      expect(result.duplicate).toBe(false);
      await store.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('commits enqueues still waiting when closed', async () => {
    const path = join(dir, 'close.db');
    const store = sqliteOutbox({ path });
    const pending = store.enqueue({
      pixelId: 'o8z6j',
      account: 'a',
      conversion: conversion(),
      now: 1,
      dedupWindowMs: DEDUP_WINDOW_MS_DEFAULT,
    });
    await store.close();
    expect((await pending).duplicate).toBe(false);
    const reopened = sqliteOutbox({ path });
    expect((await reopened.stats(1)).pending).toBe(1);
    await reopened.close();
  });

  it('reads the file from TWCLID_KIT_DB, else the documented default', () => {
    const saved = process.env.TWCLID_KIT_DB;
    try {
      process.env.TWCLID_KIT_DB = '/var/lib/app/outbox.db';
      expect(resolveOutboxPath()).toBe('/var/lib/app/outbox.db');
      expect(resolveOutboxPath('x.db')).toBe('x.db');
      delete process.env.TWCLID_KIT_DB;
      expect(resolveOutboxPath()).toBe('./.twclid-kit/outbox.db');
    } finally {
      if (saved === undefined) delete process.env.TWCLID_KIT_DB;
      else process.env.TWCLID_KIT_DB = saved;
    }
  });

  it('upgrades a file written before claim tokens and origins in place (PRAGMA user_version), keeping its rows', async () => {
    const path = join(dir, 'v0.db');
    const old = new Database(path);
    // The schema as first released: no claim_token column, no budget tables, user_version 0.
    old.exec(`CREATE TABLE outbox_events (
      id INTEGER PRIMARY KEY AUTOINCREMENT, pixel_id TEXT NOT NULL, account TEXT NOT NULL,
      dedup_key TEXT, payload TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'delivered', 'dead')),
      attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL, lease_until INTEGER,
      last_error TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`);
    const insert = old.prepare(
      `INSERT INTO outbox_events (pixel_id, account, dedup_key, payload, state, next_attempt_at, lease_until, created_at, updated_at)
       VALUES ('o8z6j', 'a', ?, ?, ?, 1, ?, 1, 1)`,
    );
    insert.run(
      'o87ne\u0000old-1',
      JSON.stringify(conversion({ conversion_id: 'old-1' })),
      'pending',
      null,
    );
    insert.run(
      'o87ne\u0000old-2',
      JSON.stringify(conversion({ conversion_id: 'old-2' })),
      'in_flight',
      5,
    );
    old.close();

    const store = sqliteOutbox({ path });
    const check = new Database(path, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const columns = (check.pragma('table_info(outbox_events)') as { name: string }[]).map(
      (c) => c.name,
    );
    expect(columns).toContain('claim_token');
    expect(columns).toContain('origin');
    const indexes = (check.pragma('index_list(outbox_events)') as { name: string }[]).map(
      (i) => i.name,
    );
    expect(indexes).toContain('outbox_open');
    check.close();
    // The old rows were the server's (only the server wrote then): a browser copy
    // of their key is a duplicate, and so is a server copy.
    for (const origin of ['browser', 'server'] as const)
      expect(
        await store.enqueue({
          pixelId: 'o8z6j',
          account: 'a',
          conversion: conversion({ conversion_id: 'old-1' }),
          now: 2,
          dedupWindowMs: DEDUP_WINDOW_MS_DEFAULT,
          origin,
        }),
      ).toEqual({ id: 1, duplicate: true });
    // The old in-flight row (its lease long expired) is recovered; both are claimable and settle.
    expect(await store.recoverInFlight(10)).toBe(1);
    const claimed = await store.claim({
      pixelId: 'o8z6j',
      account: 'a',
      limit: 5,
      now: 10,
      leaseMs: 1000,
    });
    expect(claimed.map((e) => [e.conversion.conversion_id, e.origin])).toEqual([
      ['old-1', 'server'],
      ['old-2', 'server'],
    ]);
    expect((await store.markDelivered(claimRefs(claimed), 11)).settled).toBe(2);
    await store.close();
    // Opening it again changes nothing.
    const again = sqliteOutbox({ path });
    expect((await again.stats(12)).delivered).toBe(2);
    await again.close();
  });

  it('runs in WAL mode with synchronous FULL by default', async () => {
    const path = join(dir, 'pragma.db');
    const store = sqliteOutbox({ path });
    const db = new Database(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    await store.close();
  });
});
