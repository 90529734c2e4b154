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
import { LOCK_NAMESPACE, PG_SCHEMA_VERSION } from './schema.ts';

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
