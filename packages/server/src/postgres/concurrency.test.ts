/**
 * Several instances on one real Postgres: each store below has its own pool,
 * as separate app instances would, and they race on one schema.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { conversion } from '../../test/outbox-contract.ts';
import { freshSchema, pgUrl } from '../../test/postgres/db.ts';
import { DEDUP_WINDOW_MS_DEFAULT } from '../defaults.ts';
import { isStoreUnavailableError } from '../errors.ts';
import type { OutboxEvent } from '../outbox.ts';
import { openPostgresOutbox, type PostgresOutbox, postgresOutbox } from './outbox.ts';
import { pg } from './pg.ts';
import { LOCK_NAMESPACE, PG_MIGRATIONS, PG_SCHEMA_VERSION, tablesIn } from './schema.ts';

const T0 = Date.UTC(2026, 0, 1);
let open: PostgresOutbox[] = [];

/** `count` stores (each its own pool) on one schema. */
function instances(count: number, schema = freshSchema()): PostgresOutbox[] {
  const stores = Array.from({ length: count }, () =>
    postgresOutbox({ connectionString: pgUrl(), schema, maxConnections: 5 }),
  );
  open.push(...stores);
  return stores;
}

afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

describe('postgresOutbox: several instances on one database', () => {
  it('migrates once when instances start together', async () => {
    const schema = freshSchema();
    const stores = instances(4, schema);
    await Promise.all(stores.map((s) => s.opened));
    const client = new pg.Client(pgUrl());
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT version FROM "${schema}".twclid_schema_version`);
      expect(rows).toEqual([{ version: PG_SCHEMA_VERSION }]);
    } finally {
      await client.end();
    }
  });

  it('stores one row when two instances enqueue the same key at once', async () => {
    const [a, b] = instances(2) as [PostgresOutbox, PostgresOutbox];
    await Promise.all([a.opened, b.opened]);
    const conversions = Array.from({ length: 40 }, (_, i) =>
      conversion({ conversion_id: `order-${i}` }),
    );
    const put = (store: PostgresOutbox, c: (typeof conversions)[number]) =>
      store.enqueue({
        pixelId: 'o8z6j',
        account: 'acc1',
        conversion: c,
        now: T0,
        dedupWindowMs: DEDUP_WINDOW_MS_DEFAULT,
      });
    const pairs = await Promise.all(
      conversions.map((c) =>
        Promise.all([put(a, c), put(b, { ...c, event_id: 'tw-o8z6j-o87ne' })]),
      ),
    );
    for (const [first, second] of pairs) {
      expect(first.id).toBe(second.id);
      expect([first.duplicate, second.duplicate].sort()).toEqual([false, true]);
    }
    expect((await a.stats(T0)).pending).toBe(40);
  });

  it('a browser row is taken over at most once, never after a claim, while instances race with server copies and claims', async () => {
    const schema = freshSchema();
    const [a, b, c] = instances(3, schema) as [PostgresOutbox, PostgresOutbox, PostgresOutbox];
    await Promise.all([a.opened, b.opened, c.opened]);
    const keys = Array.from({ length: 40 }, (_, i) => `order-${i}`);
    const put = (store: PostgresOutbox, id: string, origin: 'server' | 'browser', value: string) =>
      store.enqueue({
        pixelId: 'o8z6j',
        account: 'acc1',
        conversion: conversion({ conversion_id: id, value }),
        now: T0,
        dedupWindowMs: DEDUP_WINDOW_MS_DEFAULT,
        origin,
      });
    const browser = new Map<string, number>();
    for (const key of keys) browser.set(key, (await put(a, key, 'browser', '0.01')).id);
    const claimed: OutboxEvent[] = [];
    let done = false;
    const puts = Promise.all(
      keys.map((key) =>
        Promise.all([put(a, key, 'server', '10.00'), put(b, key, 'server', '20.00')]),
      ),
    );
    // Claims one at a time while the server copies arrive, so some land before a takeover and some after.
    const claimer = (async () => {
      while (!done) {
        const batch = await c.claim({
          pixelId: 'o8z6j',
          account: 'acc1',
          limit: 1,
          browserLimit: 1,
          now: T0,
          leaseMs: 60_000,
        });
        claimed.push(...batch);
      }
    })();
    const results = await puts;
    done = true;
    await claimer;
    const client = new pg.Client(pgUrl());
    await client.connect();
    try {
      for (const [i, key] of keys.entries()) {
        const [fromA, fromB] = results[i] as [
          { id: number; duplicate: boolean },
          { id: number; duplicate: boolean },
        ];
        // One server copy is stored (in place or as its own row), the other is its duplicate.
        expect(fromA.id).toBe(fromB.id);
        expect([fromA.duplicate, fromB.duplicate].sort()).toEqual([false, true]);
        const winner = fromA.duplicate ? '20.00' : '10.00';
        const { rows } = await client.query<{ id: string; origin: string; payload: string }>(
          `SELECT id, origin, payload FROM "${schema}".twclid_outbox WHERE payload LIKE $1 ORDER BY id`,
          [`%"conversion_id":"${key}"%`],
        );
        const servers = rows.filter((r) => r.origin === 'server');
        expect(servers.map((r) => [Number(r.id), JSON.parse(r.payload).value])).toEqual([
          [fromA.id, winner],
        ]);
        const tookOver = fromA.id === browser.get(key);
        expect(rows).toHaveLength(tookOver ? 1 : 2);
        // A browser row handed to a claimer was never taken over afterwards.
        const claimedBrowser = claimed.some(
          (e) => e.id === browser.get(key) && e.origin === 'browser',
        );
        if (claimedBrowser) expect(tookOver).toBe(false);
      }
    } finally {
      await client.end();
    }
  });

  it("upgrades a version 2 schema in place: its rows and keys become the server's", async () => {
    const schema = freshSchema();
    const t = tablesIn(schema);
    const client = new pg.Client(pgUrl());
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA "${schema}"`);
      for (const ddl of PG_MIGRATIONS.slice(0, 2)) await client.query(ddl(t));
      await client.query(`CREATE TABLE ${t.version} (version INTEGER NOT NULL)`);
      await client.query(`INSERT INTO ${t.version} VALUES (2)`);
      const old = conversion({ conversion_id: 'old-1' });
      await client.query(
        `INSERT INTO ${t.events} (id, pixel_id, account, payload, state, next_attempt_at, created_at, updated_at)
         VALUES (1, 'o8z6j', 'acc1', $1, 'pending', $2, $2, $2)`,
        [JSON.stringify(old), T0],
      );
      await client.query(`INSERT INTO ${t.dedup} (key, event_id, created_at) VALUES ($1, 1, $2)`, [
        Buffer.from('o87ne\u0000old-1', 'utf8'),
        T0,
      ]);
      await client.query(`SELECT setval(pg_get_serial_sequence('${t.events}', 'id'), 1)`);

      const [store] = instances(1, schema) as [PostgresOutbox];
      await store.opened;
      const { rows } = await client.query(`SELECT version FROM ${t.version}`);
      expect(rows).toEqual([{ version: PG_SCHEMA_VERSION }]);
      const indexes = await client.query<{ indexname: string }>(
        'SELECT indexname FROM pg_indexes WHERE schemaname = $1',
        [schema],
      );
      expect(indexes.rows.map((r) => r.indexname)).toContain('twclid_outbox_open_by_origin');
      for (const origin of ['browser', 'server'] as const)
        expect(
          await store.enqueue({
            pixelId: 'o8z6j',
            account: 'acc1',
            conversion: { ...old, value: '0.01' },
            now: T0 + 1,
            dedupWindowMs: DEDUP_WINDOW_MS_DEFAULT,
            origin,
          }),
        ).toEqual({ id: 1, duplicate: true });
      const claimed = await store.claim({
        pixelId: 'o8z6j',
        account: 'acc1',
        limit: 5,
        browserLimit: 0,
        now: T0 + 2,
        leaseMs: 1000,
      });
      expect(claimed.map((e) => [e.id, e.origin, e.conversion])).toEqual([[1, 'server', old]]);
    } finally {
      await client.end();
    }
  });

  it('never hands the same event to two claimers', async () => {
    const stores = instances(3);
    const [first] = stores as [PostgresOutbox];
    for (let i = 0; i < 300; i++)
      await first.enqueue({
        pixelId: 'o8z6j',
        account: 'acc1',
        conversion: conversion(),
        now: T0,
        dedupWindowMs: DEDUP_WINDOW_MS_DEFAULT,
      });
    const claimed: OutboxEvent[] = [];
    await Promise.all(
      stores.flatMap((store) =>
        [0, 1].map(async () => {
          for (;;) {
            const batch = await store.claim({
              pixelId: 'o8z6j',
              account: 'acc1',
              limit: 7,
              now: T0,
              leaseMs: 60_000,
            });
            if (batch.length === 0) return;
            claimed.push(...batch);
          }
        }),
      ),
    );
    const ids = claimed.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(300);
    expect(new Set(claimed.map((e) => e.claim?.token)).size).toBeGreaterThan(300 / 7 - 1);
  });

  it('purges from one instance at a time: another holding the purge lock makes it skip', async () => {
    const schema = freshSchema();
    const [store] = instances(1, schema) as [PostgresOutbox];
    const { id } = await store.enqueue({
      pixelId: 'o8z6j',
      account: 'acc1',
      conversion: conversion(),
      now: T0,
      dedupWindowMs: DEDUP_WINDOW_MS_DEFAULT,
    });
    const [held] = await store.claim({
      pixelId: 'o8z6j',
      account: 'acc1',
      limit: 1,
      now: T0,
      leaseMs: 1000,
    });
    await store.markDelivered([{ id, token: held?.claim?.token ?? '' }], T0);
    const other = new pg.Client(pgUrl());
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}, hashtext($1))`, [
        `${schema}:purge`,
      ]);
      expect(await store.purgeDelivered({ now: T0 + 100, olderThanMs: 10 })).toBe(0);
      await other.query('COMMIT');
      expect(await store.purgeDelivered({ now: T0 + 100, olderThanMs: 10 })).toBe(1);
    } finally {
      await other.end();
    }
  });
});

describe('postgresOutbox when Postgres is down', () => {
  async function closedPort(): Promise<number> {
    return new Promise((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
      });
    });
  }

  it('fails at start with a StoreUnavailableError naming host and port, not the password', async () => {
    const port = await closedPort();
    const error = await openPostgresOutbox({
      connectionString: `postgres://kit:s3cret-pw@127.0.0.1:${port}/app`,
      connectTimeoutMs: 2000,
    }).catch((e: unknown) => e);
    expect(isStoreUnavailableError(error)).toBe(true);
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect((error as Error).message).not.toContain('s3cret-pw');
  });

  it('rejects every call of a store opened without waiting, with the same error', async () => {
    const port = await closedPort();
    const store = postgresOutbox({ connectionString: `postgres://127.0.0.1:${port}/app` });
    const error = await store.stats(T0).catch((e: unknown) => e);
    expect(isStoreUnavailableError(error)).toBe(true);
    await store.close();
  });

  it('refuses a schema name that is not a plain identifier', () => {
    expect(() => postgresOutbox({ connectionString: pgUrl(), schema: 'x"; DROP' })).toThrow(
      /schema must be a lower-case Postgres identifier/,
    );
  });
});
