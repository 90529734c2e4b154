/**
 * The Postgres store's schema, its migrations, and how its failures surface.
 *
 * - The schema is versioned in `twclid_schema_version`. Migrations run inside
 *   one transaction holding a transaction-level advisory lock, so instances
 *   starting at once wait for each other: the first migrates, the others find
 *   the version current and only read it.
 * - Connection failures, a server shutting down or refusing connections, a full
 *   disk: a `StoreUnavailableError` (the kit answers 503 with `Retry-After`).
 *   Its message names host and port, never the password.
 */
import type * as Pg from 'pg';
import { StoreUnavailableError } from '../errors.ts';
import { deliveredCountsDdl } from './delivered-counts.ts';

/** First key of every advisory lock the kit takes (the second is per schema and purpose). */
export const LOCK_NAMESPACE = 0x74776b; // "twk"

/** The tables of one schema, quoted. */
export interface Tables {
  schema: string;
  events: string;
  dedup: string;
  spends: string;
  pauses: string;
  counts: string;
  version: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** The quoted table names in `schema` (lower-case letters, digits and `_`, as Postgres folds them). */
export function tablesIn(schema: string): Tables {
  if (!IDENTIFIER.test(schema))
    throw new RangeError(
      `schema must be a lower-case Postgres identifier (letters, digits, _), got ${JSON.stringify(schema)}`,
    );
  const t = (name: string) => `"${schema}"."${name}"`;
  return {
    schema,
    events: t('twclid_outbox'),
    dedup: t('twclid_outbox_dedup'),
    spends: t('twclid_x_budget_spends'),
    pauses: t('twclid_x_account_pauses'),
    counts: t('twclid_delivered_counts'),
    version: t('twclid_schema_version'),
  };
}

/** Version 1: the outbox with claim tokens, its deduplication keys, and X's shared budget. */
function v1(t: Tables): string {
  return `
CREATE TABLE ${t.events} (
  id BIGSERIAL PRIMARY KEY,
  pixel_id TEXT NOT NULL,
  account TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'delivered', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  lease_until BIGINT,
  claim_token TEXT,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX twclid_outbox_open ON ${t.events} (pixel_id, account, id)
  WHERE state IN ('pending', 'in_flight');
CREATE INDEX twclid_outbox_dead ON ${t.events} (id) WHERE state = 'dead';
CREATE INDEX twclid_outbox_delivered ON ${t.events} (updated_at) WHERE state = 'delivered';
-- The key holds U+0000 (outbox.ts dedupKey), which TEXT refuses: stored as its UTF-8 bytes.
CREATE TABLE ${t.dedup} (
  key BYTEA PRIMARY KEY,
  event_id BIGINT NOT NULL REFERENCES ${t.events} (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  created_at BIGINT NOT NULL
);
CREATE INDEX twclid_outbox_dedup_event ON ${t.dedup} (event_id);
CREATE TABLE ${t.spends} (
  id BIGSERIAL PRIMARY KEY,
  account TEXT NOT NULL,
  at BIGINT NOT NULL,
  count INTEGER NOT NULL
);
CREATE INDEX twclid_x_budget_spends_window ON ${t.spends} (account, at);
CREATE TABLE ${t.pauses} (
  account TEXT PRIMARY KEY,
  until BIGINT NOT NULL
);`;
}

/**
 * Version 3: who vouched for each event (outbox.ts `ConversionOrigin`; rows
 * written before are the server's, as only the server wrote then), the same on
 * each deduplication slot (outbox-enqueue.ts), and an open-rows index led by
 * the origin for server-first claims and the backlog count per origin.
 */
function v3(t: Tables): string {
  return `
ALTER TABLE ${t.events} ADD COLUMN origin TEXT NOT NULL DEFAULT 'server'
  CHECK (origin IN ('server', 'browser'));
ALTER TABLE ${t.dedup} ADD COLUMN origin TEXT NOT NULL DEFAULT 'server'
  CHECK (origin IN ('server', 'browser'));
DROP INDEX "${t.schema}".twclid_outbox_open;
CREATE INDEX twclid_outbox_open_by_origin ON ${t.events} (origin, pixel_id, account, id)
  WHERE state IN ('pending', 'in_flight');`;
}

/**
 * Migrations in order; the table's `version` says how many have run.
 * Version 2: delivered counts per tag and hour, kept after purges (delivered-counts.ts).
 */
export const PG_MIGRATIONS: readonly ((t: Tables) => string)[] = [v1, deliveredCountsDdl, v3];
const MIGRATIONS = PG_MIGRATIONS;
export const PG_SCHEMA_VERSION = MIGRATIONS.length;

const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[1-3])/;
const UNAVAILABLE_NODE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
const UNAVAILABLE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect/;

/** `true` for failures that pass (server down or restarting, too many connections, full disk). */
export function isTransientPgError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string')
    return UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_NODE.has(code);
  return error instanceof Error && UNAVAILABLE_MESSAGE.test(error.message);
}

/** Where the pool connects, for messages: host and port only (no user, no password). */
export function describeTarget(pool: Pg.Pool): string {
  const o = pool.options as { host?: string; port?: number; connectionString?: string };
  if (o.connectionString) {
    try {
      const url = new URL(o.connectionString);
      return `${url.hostname || 'localhost'}:${url.port || 5432}`;
    } catch {
      return 'the configured server';
    }
  }
  return `${o.host ?? process.env.PGHOST ?? 'localhost'}:${o.port ?? process.env.PGPORT ?? 5432}`;
}

/** Awaits `work`, turning a transient Postgres failure into a `StoreUnavailableError`. */
export async function guardPg<T>(pool: Pg.Pool, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!isTransientPgError(error)) throw error;
    const code = (error as { code?: string }).code ?? 'connection lost';
    const disk = code === '53100';
    throw new StoreUnavailableError(
      `The Postgres outbox at ${describeTarget(pool)} is unavailable (${code}): ${(error as Error).message}`,
      { cause: error, retryAfterS: disk ? 30 : 1 },
    );
  }
}

/** Runs `fn` in a transaction on one pooled connection; rolls back on failure. */
export async function inTransaction<T>(
  pool: Pg.Pool,
  fn: (client: Pg.PoolClient) => Promise<T>,
): Promise<T> {
  return guardPg(pool, async () => {
    const client = await pool.connect();
    let broken: unknown;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      broken = error;
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      // A connection that failed mid-transaction is not handed out again.
      client.release(broken !== undefined && isTransientPgError(broken) ? true : undefined);
    }
  });
}

/** Takes the transaction's advisory lock for `purpose` in this schema (released at commit). */
export function lockSql(wait: boolean): string {
  const fn = wait ? 'pg_advisory_xact_lock' : 'pg_try_advisory_xact_lock';
  return `SELECT ${fn}(${LOCK_NAMESPACE}, hashtext($1)) AS locked`;
}

/** Brings the schema to `PG_SCHEMA_VERSION`, creating it first; safe when instances start together. */
export async function migrate(pool: Pg.Pool, t: Tables): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query(lockSql(true), [`${t.schema}:migrate`]);
    // Only when missing: creating a schema needs a privilege that using one does not.
    const schema = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [t.schema]);
    if (schema.rows.length === 0) await client.query(`CREATE SCHEMA "${t.schema}"`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${t.version} (version INTEGER NOT NULL)`);
    const found = await client.query<{ version: number }>(`SELECT version FROM ${t.version}`);
    const from = found.rows[0]?.version ?? 0;
    if (from > PG_SCHEMA_VERSION)
      throw new Error(
        `The Postgres outbox schema "${t.schema}" is at version ${from}, newer than this @twclid-kit/server knows (${PG_SCHEMA_VERSION}): upgrade the package on every instance`,
      );
    for (let v = from; v < PG_SCHEMA_VERSION; v++)
      await client.query((MIGRATIONS[v] as (t: Tables) => string)(t));
    if (found.rows.length === 0)
      await client.query(`INSERT INTO ${t.version} (version) VALUES ($1)`, [PG_SCHEMA_VERSION]);
    else if (from < PG_SCHEMA_VERSION)
      await client.query(`UPDATE ${t.version} SET version = $1`, [PG_SCHEMA_VERSION]);
  });
}
