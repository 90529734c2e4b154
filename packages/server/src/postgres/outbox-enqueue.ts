/**
 * The Postgres outbox's enqueue: deduplication with precedence by origin
 * (outbox.ts `EnqueueInput`), safe when several instances enqueue at once.
 *
 * Each deduplication key has one slot in `twclid_outbox_dedup`: the newest
 * event holding the key, its origin, and when the key was taken.
 *
 * - A new or expired key is taken with `INSERT … ON CONFLICT` on the slot's
 *   primary key, in the same statement as the event's row: of two instances
 *   inserting the same key at once, one stores the event, the other waits for
 *   its commit and finds the key held.
 * - A browser copy of a held key is a duplicate.
 * - A server copy of a held key locks the slot (`SELECT … FOR UPDATE`), so
 *   server copies arriving together take turns: a server slot makes it a
 *   duplicate; a browser slot whose event is still pending is taken over by a
 *   conditional `UPDATE … WHERE state = 'pending'` (a claim that got there
 *   first makes it match nothing; a claimer skips the row this update locks);
 *   otherwise the server copy is stored as its own row and the slot points at it.
 */
import type * as Pg from 'pg';
import {
  type ConversionOrigin,
  dedupKey,
  type EnqueueInput,
  type EnqueueResult,
} from '../outbox.ts';
import { inTransaction, type Tables } from './schema.ts';

/** One event in; see the module comment for what a held key does. */
export async function enqueueRow(
  pool: Pg.Pool,
  t: Tables,
  input: EnqueueInput,
): Promise<EnqueueResult> {
  const key = dedupKey(input.conversion);
  const origin: ConversionOrigin = input.origin ?? 'server';
  const values = [
    input.pixelId,
    input.account,
    JSON.stringify(input.conversion),
    input.now,
    origin,
  ];
  if (key === undefined) {
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO ${t.events} (pixel_id, account, payload, origin, state, next_attempt_at, created_at, updated_at)
       VALUES ($1, $2, $3, $5, 'pending', $4, $4, $4) RETURNING id`,
      values,
    );
    return { id: Number(rows[0]?.id), duplicate: false };
  }
  const bytes = Buffer.from(key, 'utf8');
  // A purge may remove the holder between the statements: then try again.
  for (let round = 0; round < 3; round++) {
    const { rows } = await pool.query<{ id: string }>(
      `WITH d AS (
         INSERT INTO ${t.dedup} AS d (key, event_id, origin, created_at)
         VALUES ($6, nextval(pg_get_serial_sequence('${t.events}', 'id')), $5, $4)
         ON CONFLICT (key) DO UPDATE SET event_id = excluded.event_id, origin = excluded.origin,
           created_at = excluded.created_at
           WHERE d.created_at <= $4::bigint - $7::bigint
         RETURNING event_id)
       INSERT INTO ${t.events} (id, pixel_id, account, payload, origin, state, next_attempt_at, created_at, updated_at)
       SELECT event_id, $1, $2, $3, $5, 'pending', $4, $4, $4 FROM d RETURNING id`,
      [...values, bytes, input.dedupWindowMs],
    );
    if (rows[0]) return { id: Number(rows[0].id), duplicate: false };
    const held =
      origin === 'browser'
        ? await heldBy(pool, t, bytes)
        : await inTransaction(pool, (client) => serverOverHeldKey(client, t, bytes, values));
    if (held) return held;
  }
  throw new Error('enqueue: the deduplication key kept changing hands');
}

async function heldBy(pool: Pg.Pool, t: Tables, key: Buffer): Promise<EnqueueResult | undefined> {
  const { rows } = await pool.query<{ event_id: string }>(
    `SELECT event_id FROM ${t.dedup} WHERE key = $1`,
    [key],
  );
  return rows[0] ? { id: Number(rows[0].event_id), duplicate: true } : undefined;
}

/** Inside a transaction: a server copy of a key already held (`values` as in `enqueueRow`). */
async function serverOverHeldKey(
  client: Pg.PoolClient,
  t: Tables,
  key: Buffer,
  values: readonly unknown[],
): Promise<EnqueueResult | undefined> {
  const slot = await client.query<{ event_id: string; origin: ConversionOrigin }>(
    `SELECT event_id, origin FROM ${t.dedup} WHERE key = $1 FOR UPDATE`,
    [key],
  );
  const held = slot.rows[0];
  if (!held) return undefined;
  if (held.origin === 'server') return { id: Number(held.event_id), duplicate: true };
  const [pixelId, account, payload, now] = values;
  const taken = await client.query<{ id: string }>(
    `UPDATE ${t.events} SET payload = $2, origin = 'server', pixel_id = $3, account = $4, updated_at = $5
     WHERE id = $1 AND state = 'pending' AND origin = 'browser' RETURNING id`,
    [held.event_id, payload, pixelId, account, now],
  );
  if (taken.rows[0]) {
    await client.query(`UPDATE ${t.dedup} SET origin = 'server' WHERE key = $1`, [key]);
    return { id: Number(held.event_id), duplicate: false };
  }
  // The browser copy is in flight or delivered: the server copy is a row of its own.
  const inserted = await client.query<{ id: string }>(
    `INSERT INTO ${t.events} (pixel_id, account, payload, origin, state, next_attempt_at, created_at, updated_at)
     VALUES ($1, $2, $3, 'server', 'pending', $4, $4, $4) RETURNING id`,
    [pixelId, account, payload, now],
  );
  const id = inserted.rows[0]?.id as string;
  await client.query(
    `UPDATE ${t.dedup} SET event_id = $2, origin = 'server', created_at = $3 WHERE key = $1`,
    [key, id, now],
  );
  return { id: Number(id), duplicate: false };
}
