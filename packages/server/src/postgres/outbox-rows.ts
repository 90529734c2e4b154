/**
 * The Postgres outbox's statements. Each is one statement (so one implicit
 * transaction) unless it says otherwise; times are epoch ms in BIGINT columns.
 *
 * - Enqueue is idempotent under concurrency: the deduplication key is claimed
 *   with `INSERT … ON CONFLICT` on its primary key, so of two instances
 *   inserting the same key at once, one stores the event and the other waits
 *   for its commit and gets its ID back.
 * - Claims take due rows with `FOR UPDATE SKIP LOCKED`: concurrent claimers
 *   skip each other's rows instead of waiting, and never get the same one.
 * - Settling needs the claim's token (outbox.ts), so a claim whose lease ended
 *   and was taken over cannot settle the new holder's event.
 */
import type * as Pg from 'pg';
import {
  type ClaimInput,
  type ClaimRef,
  dedupKey,
  type EnqueueInput,
  type EnqueueResult,
  newClaimToken,
  type OutboxEvent,
  type OutboxStats,
  type ReadyGroup,
  type RescheduleInput,
  type SettleResult,
} from '../outbox.ts';
import type { CapiConversion } from '../x-types.ts';
import { recordDelivered } from './delivered-counts.ts';
import { lockSql, type Tables } from './schema.ts';

interface Row {
  id: string;
  pixel_id: string;
  account: string;
  payload: string;
  state: OutboxEvent['state'];
  attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  claim_token: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

type Query = Pg.Pool | Pg.PoolClient;

const DUE = `((state = 'pending' AND next_attempt_at <= $1) OR (state = 'in_flight' AND lease_until <= $1))`;

function toEvent(row: Row): OutboxEvent {
  const event: OutboxEvent = {
    id: Number(row.id),
    pixelId: row.pixel_id,
    account: row.account,
    conversion: JSON.parse(row.payload) as CapiConversion,
    origin: 'server',
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: Number(row.next_attempt_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
  if (row.last_error !== null) event.lastError = row.last_error;
  if (row.state === 'in_flight' && row.claim_token !== null && row.lease_until !== null)
    event.claim = { token: row.claim_token, leaseUntil: Number(row.lease_until) };
  return event;
}

/** TEXT refuses U+0000; X's messages are stored without it. */
const storable = (text: string | undefined) => text?.replaceAll('\u0000', '\uFFFD') ?? null;

function settled(refs: readonly ClaimRef[], ids: readonly { id: string }[]): SettleResult {
  const done = new Set(ids.map((r) => Number(r.id)));
  return { settled: done.size, stale: refs.filter((r) => !done.has(r.id)).map((r) => r.id) };
}

/** One event in; a key already held inside the window returns its event's ID. */
export async function enqueueRow(
  db: Query,
  t: Tables,
  input: EnqueueInput,
): Promise<EnqueueResult> {
  const key = dedupKey(input.conversion);
  const values = [input.pixelId, input.account, JSON.stringify(input.conversion), input.now];
  if (key === undefined) {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO ${t.events} (pixel_id, account, payload, state, next_attempt_at, created_at, updated_at)
       VALUES ($1, $2, $3, 'pending', $4, $4, $4) RETURNING id`,
      values,
    );
    return { id: Number(rows[0]?.id), duplicate: false };
  }
  const bytes = Buffer.from(key, 'utf8');
  // A purge may remove the holder between the two statements: then try again.
  for (let round = 0; round < 3; round++) {
    const { rows } = await db.query<{ id: string }>(
      `WITH d AS (
         INSERT INTO ${t.dedup} AS d (key, event_id, created_at)
         VALUES ($5, nextval(pg_get_serial_sequence('${t.events}', 'id')), $4)
         ON CONFLICT (key) DO UPDATE SET event_id = excluded.event_id, created_at = excluded.created_at
           WHERE d.created_at <= $4::bigint - $6::bigint
         RETURNING event_id)
       INSERT INTO ${t.events} (id, pixel_id, account, payload, state, next_attempt_at, created_at, updated_at)
       SELECT event_id, $1, $2, $3, 'pending', $4, $4, $4 FROM d RETURNING id`,
      [...values, bytes, input.dedupWindowMs],
    );
    if (rows[0]) return { id: Number(rows[0].id), duplicate: false };
    const held = await db.query<{ event_id: string }>(
      `SELECT event_id FROM ${t.dedup} WHERE key = $1`,
      [bytes],
    );
    if (held.rows[0]) return { id: Number(held.rows[0].event_id), duplicate: true };
  }
  throw new Error('enqueue: the deduplication key kept changing hands');
}

export async function readyRows(db: Query, t: Tables, now: number): Promise<ReadyGroup[]> {
  const { rows } = await db.query<{
    pixel_id: string;
    account: string;
    due: string;
    since: string;
  }>(
    `SELECT pixel_id, account, COUNT(*) AS due, MIN(created_at) AS since
     FROM ${t.events} WHERE ${DUE} GROUP BY pixel_id, account`,
    [now],
  );
  return rows.map((r) => ({
    pixelId: r.pixel_id,
    account: r.account,
    due: Number(r.due),
    since: Number(r.since),
  }));
}

export async function nextDueRow(db: Query, t: Tables): Promise<number | undefined> {
  const { rows } = await db.query<{ at: string | null }>(
    `SELECT MIN(CASE state WHEN 'pending' THEN next_attempt_at ELSE lease_until END) AS at
     FROM ${t.events} WHERE state IN ('pending', 'in_flight')`,
  );
  const at = rows[0]?.at;
  return at === null || at === undefined ? undefined : Number(at);
}

export async function claimRows(db: Query, t: Tables, input: ClaimInput): Promise<OutboxEvent[]> {
  const { rows } = await db.query<Row>(
    `UPDATE ${t.events} o SET state = 'in_flight', lease_until = $5, claim_token = $6, updated_at = $1
     FROM (SELECT id FROM ${t.events}
           WHERE pixel_id = $2 AND account = $3 AND ${DUE}
           ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED) c
     WHERE o.id = c.id RETURNING o.*`,
    [
      input.now,
      input.pixelId,
      input.account,
      Math.max(0, Math.floor(input.limit)),
      input.now + input.leaseMs,
      newClaimToken(),
    ],
  );
  return rows.map(toEvent).sort((a, b) => a.id - b.id);
}

/** Only the holder of the current claim settles an event ($1 ids, $2 tokens). */
const HELD = `FROM unnest($1::bigint[], $2::text[]) AS r(id, token)
   WHERE o.id = r.id AND o.state = 'in_flight' AND o.claim_token = r.token`;

export async function deliverRows(
  db: Pg.PoolClient,
  t: Tables,
  refs: readonly ClaimRef[],
  now: number,
): Promise<SettleResult> {
  const { rows } = await db.query<{ id: string; pixel_id: string; payload: string }>(
    `UPDATE ${t.events} o SET state = 'delivered', lease_until = NULL, claim_token = NULL, updated_at = $3
     ${HELD} RETURNING o.id, o.pixel_id, o.payload`,
    [refs.map((r) => r.id), refs.map((r) => r.token), now],
  );
  await recordDelivered(db, t, rows, now);
  return settled(refs, rows);
}

export async function rescheduleRows(
  db: Query,
  t: Tables,
  refs: readonly ClaimRef[],
  input: RescheduleInput,
): Promise<SettleResult> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE ${t.events} o SET state = 'pending', lease_until = NULL, claim_token = NULL,
       next_attempt_at = $3, attempts = o.attempts + $4, last_error = COALESCE($5, o.last_error),
       updated_at = $6
     ${HELD} RETURNING o.id`,
    [
      refs.map((r) => r.id),
      refs.map((r) => r.token),
      input.nextAttemptAt,
      input.countAttempt ? 1 : 0,
      storable(input.error),
      input.now,
    ],
  );
  return settled(refs, rows);
}

export async function deadRows(
  db: Query,
  t: Tables,
  entries: readonly (ClaimRef & { reason: string })[],
  now: number,
): Promise<SettleResult> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE ${t.events} o SET state = 'dead', lease_until = NULL, claim_token = NULL,
       last_error = r.reason, updated_at = $4
     FROM unnest($1::bigint[], $2::text[], $3::text[]) AS r(id, token, reason)
     WHERE o.id = r.id AND o.state = 'in_flight' AND o.claim_token = r.token RETURNING o.id`,
    [
      entries.map((e) => e.id),
      entries.map((e) => e.token),
      entries.map((e) => storable(e.reason)),
      now,
    ],
  );
  return settled(entries, rows);
}

export async function recoverRows(db: Query, t: Tables, now: number): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE ${t.events} SET state = 'pending', lease_until = NULL, claim_token = NULL,
       next_attempt_at = LEAST(next_attempt_at, $1), updated_at = $1
     WHERE state = 'in_flight' AND lease_until <= $1`,
    [now],
  );
  return rowCount ?? 0;
}

export async function requeueRows(
  db: Query,
  t: Tables,
  ids: readonly number[] | undefined,
  now: number,
): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE ${t.events} SET state = 'pending', attempts = 0, next_attempt_at = $1, updated_at = $1
     WHERE state = 'dead' AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[]))`,
    [now, ids ? [...ids] : null],
  );
  return rowCount ?? 0;
}

/** Runs in a transaction: one instance purges at a time; the others skip (0). */
export async function purgeRows(db: Pg.PoolClient, t: Tables, before: number): Promise<number> {
  const { rows } = await db.query<{ locked: boolean }>(lockSql(false), [`${t.schema}:purge`]);
  if (!rows[0]?.locked) return 0;
  const { rowCount } = await db.query(
    `DELETE FROM ${t.events} WHERE state = 'delivered' AND updated_at < $1`,
    [before],
  );
  return rowCount ?? 0;
}

export async function deadLetterRows(
  db: Query,
  t: Tables,
  options: { limit?: number; account?: string },
): Promise<OutboxEvent[]> {
  const { rows } = await db.query<Row>(
    `SELECT * FROM ${t.events} WHERE state = 'dead' AND ($1::text IS NULL OR account = $1)
     ORDER BY id LIMIT $2`,
    [options.account ?? null, options.limit ?? null],
  );
  return rows.map(toEvent);
}

export async function statsRows(db: Query, t: Tables, now: number): Promise<OutboxStats> {
  const stats: OutboxStats = {
    pending: 0,
    inFlight: 0,
    delivered: 0,
    dead: 0,
    oldestPendingAgeMs: null,
    depthByAccount: {},
    oldestPendingAgeMsByAccount: {},
  };
  const counts = await db.query<{ state: OutboxEvent['state']; n: string }>(
    `SELECT state, COUNT(*) AS n FROM ${t.events} GROUP BY state`,
  );
  for (const { state, n } of counts.rows) {
    if (state === 'pending') stats.pending = Number(n);
    else if (state === 'in_flight') stats.inFlight = Number(n);
    else if (state === 'delivered') stats.delivered = Number(n);
    else stats.dead = Number(n);
  }
  const depth = await db.query<{ account: string; n: string; oldest: string }>(
    `SELECT account, COUNT(*) AS n, MIN(created_at) AS oldest FROM ${t.events}
     WHERE state IN ('pending', 'in_flight') GROUP BY account`,
  );
  let oldest: number | undefined;
  for (const row of depth.rows) {
    const at = Number(row.oldest);
    stats.depthByAccount[row.account] = Number(row.n);
    stats.oldestPendingAgeMsByAccount[row.account] = Math.max(0, now - at);
    if (oldest === undefined || at < oldest) oldest = at;
  }
  stats.oldestPendingAgeMs = oldest === undefined ? null : Math.max(0, now - oldest);
  return stats;
}
