/**
 * The Postgres outbox's statements. Each is one statement (so one implicit
 * transaction) unless it says otherwise; times are epoch ms in BIGINT columns.
 *
 * - Enqueue and its precedence by origin: outbox-enqueue.ts.
 * - Claims take due rows with `FOR UPDATE SKIP LOCKED`: concurrent claimers
 *   skip each other's rows instead of waiting, and never get the same one.
 *   Server rows first, then browser rows (two statements under one token).
 * - Settling needs the claim's token (outbox.ts), so a claim whose lease ended
 *   and was taken over cannot settle the new holder's event.
 */
import type * as Pg from 'pg';
import {
  type ClaimInput,
  type ClaimRef,
  type ConversionOrigin,
  newClaimToken,
  type OutboxEvent,
  type OutboxStats,
  type ReadyGroup,
  type RescheduleInput,
  type SettleResult,
  withoutIdentifiers,
} from '../outbox.ts';
import type { CapiConversion } from '../x-types.ts';
import { recordDelivered } from './delivered-counts.ts';
import { lockSql, type Tables } from './schema.ts';

interface Row {
  id: string;
  pixel_id: string;
  account: string;
  payload: string;
  origin: ConversionOrigin;
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
    origin: row.origin,
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

/** Server rows first, then at most `browserLimit` browser rows; each oldest first. */
export async function claimRows(db: Query, t: Tables, input: ClaimInput): Promise<OutboxEvent[]> {
  const token = newClaimToken();
  // The state term is the open-rows index's own (schema.ts v3), so the index serves it.
  const take = async (origin: ConversionOrigin, limit: number) => {
    const { rows } = await db.query<Row>(
      `UPDATE ${t.events} o SET state = 'in_flight', lease_until = $5, claim_token = $6, updated_at = $1
       FROM (SELECT id FROM ${t.events}
             WHERE state IN ('pending', 'in_flight') AND origin = $7 AND pixel_id = $2
               AND account = $3 AND ${DUE}
             ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED) c
       WHERE o.id = c.id RETURNING o.*`,
      [input.now, input.pixelId, input.account, limit, input.now + input.leaseMs, token, origin],
    );
    return rows.map(toEvent).sort((a, b) => a.id - b.id);
  };
  const limit = Math.max(0, Math.floor(input.limit));
  const server = await take('server', limit);
  const browserLimit = Math.floor(Math.min(limit - server.length, input.browserLimit ?? limit));
  return browserLimit > 0 ? [...server, ...(await take('browser', browserLimit))] : server;
}

export async function countUndeliveredRows(
  db: Query,
  t: Tables,
  origin: ConversionOrigin | undefined,
): Promise<number> {
  const open = `SELECT COUNT(*) AS n FROM ${t.events} WHERE state IN ('pending', 'in_flight')`;
  const { rows } = await (origin === undefined
    ? db.query<{ n: string }>(open)
    : db.query<{ n: string }>(`${open} AND origin = $1`, [origin]));
  return Number(rows[0]?.n ?? 0);
}

/** Only the holder of the current claim settles an event ($1 ids, $2 tokens). */
const HELD = `FROM unnest($1::bigint[], $2::text[]) AS r(id, token)
   WHERE o.id = r.id AND o.state = 'in_flight' AND o.claim_token = r.token`;

/**
 * In a transaction: settles, counts, and strips the identifiers from the
 * delivered rows (outbox.ts `markDelivered`). The payload is rewritten here,
 * not with jsonb, which refuses the U+0000 a stored JSON string may escape.
 */
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
  if (rows.length > 0)
    await db.query(
      `UPDATE ${t.events} o SET payload = r.payload
       FROM unnest($1::bigint[], $2::text[]) AS r(id, payload) WHERE o.id = r.id`,
      [
        rows.map((r) => r.id),
        rows.map((r) =>
          JSON.stringify(withoutIdentifiers(JSON.parse(r.payload) as CapiConversion)),
        ),
      ],
    );
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
