/**
 * The outbox in PostgreSQL, for apps running on several instances (containers
 * behind a load balancer, serverless): every instance enqueues, claims and
 * settles in one database, and spends X's budget from one shared budget.
 *
 * Durability is the server's: `enqueue()` resolves after the commit, so an
 * accepted event survives the instance that took it. The store creates and
 * migrates its tables itself on first use (schema.ts).
 */
import type * as Pg from 'pg';
import type { OutboxStore } from '../outbox.ts';
import type { RateBudgetOptions } from '../rate-budget.ts';
import type { RateBudget } from '../x-types.ts';
import { deliveredCountRows } from './delivered-counts.ts';
import { enqueueRow } from './outbox-enqueue.ts';
import {
  claimRows,
  countUndeliveredRows,
  deadLetterRows,
  deadRows,
  deliverRows,
  nextDueRow,
  purgeRows,
  readyRows,
  recoverRows,
  requeueRows,
  rescheduleRows,
  statsRows,
} from './outbox-rows.ts';
import { pg } from './pg.ts';
import { postgresRateBudget } from './rate-budget.ts';
import { guardPg, inTransaction, migrate, type Tables, tablesIn } from './schema.ts';

export interface PostgresOutboxOptions {
  /**
   * `postgres://user:password@host:5432/db` (node-postgres' connection string,
   * `?sslmode=require` and the like included). Without it and without `pool`,
   * node-postgres reads the `PG*` environment variables (PGHOST, PGUSER, …).
   */
  connectionString?: string;
  /** A pool of your own (the store does not end it on `close()`). */
  pool?: Pg.Pool;
  /** Connections this instance's pool opens at most. Default 10. */
  maxConnections?: number;
  /** How long a query waits for a free or new connection before the store is unavailable. Default 5000 ms. */
  connectTimeoutMs?: number;
  /**
   * The Postgres schema holding the tables (created when missing). Default
   * `public`. Every instance of one app uses the same; apps sharing a database
   * use one each.
   */
  schema?: string;
}

/** An `OutboxStore` on Postgres, with the shared budget and a way to wait for the schema. */
export interface PostgresOutbox extends OutboxStore {
  /** Resolves once the schema is created or migrated; rejects (clearly) when Postgres is unreachable. */
  opened: Promise<void>;
  /** X's budget shared by every instance on the database (pauses until X's reset included). */
  rateBudget(options?: RateBudgetOptions): RateBudget;
}

function createPool(options: PostgresOutboxOptions): Pg.Pool {
  const pool = new pg.Pool({
    ...(options.connectionString === undefined
      ? {}
      : { connectionString: options.connectionString }),
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
  });
  // An idle connection the server dropped (a restart, a failover) must not
  // crash the app: the pool discards it and the next query opens a new one.
  pool.on('error', () => {});
  return pool;
}

/**
 * The Postgres outbox. Returns at once; the schema is created or migrated on
 * first use (await `opened`, or use `openPostgresOutbox()`, to fail at start
 * when the database is unreachable).
 *
 * @example
 * ```ts
 * import { openPostgresOutbox } from '@twclid-kit/server/postgres';
 * const store = await openPostgresOutbox({ connectionString: process.env.DATABASE_URL });
 * const kit = twclidKit({ ...config, store }); // X's budget shared through the store
 * ```
 */
export function postgresOutbox(options: PostgresOutboxOptions = {}): PostgresOutbox {
  const t: Tables = tablesIn(options.schema ?? 'public');
  const ownPool = options.pool === undefined;
  const pool = options.pool ?? createPool(options);
  const opened = migrate(pool, t);
  // Reported by `opened` and by every call; not an unhandled rejection meanwhile.
  opened.catch(() => {});
  const run = async <T>(work: (db: Pg.Pool) => Promise<T>): Promise<T> => {
    await opened;
    return guardPg(pool, () => work(pool));
  };
  let closed = false;
  return {
    opened,
    enqueue: (input) => run((db) => enqueueRow(db, t, input)),
    ready: (now) => run((db) => readyRows(db, t, now)),
    nextDueAt: () => run((db) => nextDueRow(db, t)),
    claim: (input) => run((db) => claimRows(db, t, input)),
    // The state change and its delivered count commit together.
    markDelivered: async (refs, now) => {
      await opened;
      return guardPg(pool, () =>
        inTransaction(pool, (client) => deliverRows(client, t, refs, now)),
      );
    },
    reschedule: (refs, input) => run((db) => rescheduleRows(db, t, refs, input)),
    markDead: (entries, now) => run((db) => deadRows(db, t, entries, now)),
    recoverInFlight: (now) => run((db) => recoverRows(db, t, now)),
    stats: (now) => run((db) => statsRows(db, t, now)),
    countUndelivered: (o = {}) => run((db) => countUndeliveredRows(db, t, o.origin)),
    deliveredCounts: (query) => run((db) => deliveredCountRows(db, t, query)),
    deadLetters: (o = {}) => run((db) => deadLetterRows(db, t, o)),
    requeueDead: ({ now, ids }) => run((db) => requeueRows(db, t, ids, now)),
    async purgeDelivered({ now, olderThanMs }) {
      await opened;
      return inTransaction(pool, (client) => purgeRows(client, t, now - olderThanMs));
    },
    rateBudget: (budgetOptions) => {
      const budget = postgresRateBudget(pool, t, budgetOptions);
      const after =
        <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
        async (...args: A) => {
          await opened;
          return fn(...args);
        };
      return {
        // The kit scales the browser share of the budget from its limits (kit/delivery.ts).
        ...(budget.limits ? { limits: budget.limits } : {}),
        take: after(budget.take),
        nextFreeAt: after(budget.nextFreeAt),
        refund: after(budget.refund),
        answered: after(budget.answered),
        update: after(budget.update),
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      await opened.catch(() => {});
      if (ownPool) await pool.end();
    },
  };
}

/** Opens the Postgres outbox and waits for its schema: rejects at start when Postgres is unreachable. */
export async function openPostgresOutbox(
  options: PostgresOutboxOptions = {},
): Promise<PostgresOutbox> {
  const store = postgresOutbox(options);
  try {
    await store.opened;
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
