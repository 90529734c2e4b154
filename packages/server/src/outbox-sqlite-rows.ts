/**
 * The SQLite outbox's statements: each function is one unit of work on the
 * `outbox_events` table. Callers (outbox-sqlite.ts) run the writes inside
 * `BEGIN IMMEDIATE` transactions (sqlite-schema.ts).
 */
import { deliveredCountsRows } from './delivered-counts-sqlite.ts';
import {
  type ClaimInput,
  type ClaimRef,
  type ConversionOrigin,
  dedupKey,
  type EnqueueInput,
  type EnqueueResult,
  newClaimToken,
  type OutboxEvent,
  type OutboxStats,
  type ReadyGroup,
  type RescheduleInput,
  type SettleResult,
} from './outbox.ts';
import type { SqliteDriver, SqlRunResult } from './sqlite-driver.ts';
import type { CapiConversion } from './x-types.ts';

type NoParams = Record<string, never>;

interface Row {
  id: number;
  pixel_id: string;
  account: string;
  payload: string;
  origin: ConversionOrigin;
  state: OutboxEvent['state'];
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  claim_token: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

const DUE = `((state = 'pending' AND next_attempt_at <= @now) OR (state = 'in_flight' AND lease_until <= @now))`;
/** Only the holder of the current claim settles an event. */
const HELD = `id = @id AND state = 'in_flight' AND claim_token = @token`;

function toEvent(row: Row): OutboxEvent {
  const event: OutboxEvent = {
    id: row.id,
    pixelId: row.pixel_id,
    account: row.account,
    conversion: JSON.parse(row.payload) as CapiConversion,
    origin: row.origin,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.last_error !== null) event.lastError = row.last_error;
  if (row.state === 'in_flight' && row.claim_token !== null && row.lease_until !== null)
    event.claim = { token: row.claim_token, leaseUntil: row.lease_until };
  return event;
}

/** Runs `run` per ref; a ref whose claim is not current changes nothing and is reported. */
function settleEach<R extends ClaimRef>(
  refs: readonly R[],
  run: (ref: R) => SqlRunResult,
): SettleResult {
  const result: SettleResult = { settled: 0, stale: [] };
  for (const ref of refs) {
    if (run(ref).changes > 0) result.settled++;
    else result.stale.push(ref.id);
  }
  return result;
}

function enqueueRows(db: SqliteDriver) {
  const withKey = db.prepare<
    { key: string; since: number },
    { id: number; origin: ConversionOrigin; state: OutboxEvent['state'] }
  >(
    `SELECT id, origin, state FROM outbox_events WHERE dedup_key = @key AND created_at > @since
     ORDER BY id DESC`,
  );
  const takeOver = db.prepare(
    `UPDATE outbox_events SET payload = @payload, origin = 'server', pixel_id = @pixelId,
       account = @account, updated_at = @now WHERE id = @id AND state = 'pending'`,
  );
  const insert = db.prepare(
    `INSERT INTO outbox_events (pixel_id, account, dedup_key, payload, origin, state, attempts, next_attempt_at, created_at, updated_at)
     VALUES (@pixelId, @account, @key, @payload, @origin, 'pending', 0, @now, @now, @now)`,
  );
  /** Runs inside the immediate transaction; precedence by origin as in outbox.ts `EnqueueInput`. */
  const enqueueOne = (input: EnqueueInput): EnqueueResult => {
    const key = dedupKey(input.conversion) ?? null;
    const origin = input.origin ?? 'server';
    const values = {
      pixelId: input.pixelId,
      account: input.account,
      payload: JSON.stringify(input.conversion),
      now: input.now,
    };
    if (key !== null) {
      const rows = withKey.all({ key, since: input.now - input.dedupWindowMs });
      const held = rows.find((r) => origin === 'browser' || r.origin === 'server');
      if (held) return { id: held.id, duplicate: true };
      const browser = rows.find((r) => r.origin === 'browser' && r.state === 'pending');
      if (browser && takeOver.run({ ...values, id: browser.id }).changes > 0)
        return { id: browser.id, duplicate: false };
    }
    const info = insert.run({ ...values, key, origin });
    return { id: Number(info.lastInsertRowid), duplicate: false };
  };
  return { enqueueAll: (inputs: readonly EnqueueInput[]) => inputs.map(enqueueOne) };
}

function claimRows(db: SqliteDriver) {
  const readyStmt = db.prepare<
    { now: number },
    { pixel_id: string; account: string; due: number; since: number }
  >(
    `SELECT pixel_id, account, COUNT(*) AS due, MIN(created_at) AS since
     FROM outbox_events WHERE ${DUE} GROUP BY pixel_id, account`,
  );
  const nextDueStmt = db.prepare<NoParams, { at: number | null }>(
    `SELECT MIN(CASE state WHEN 'pending' THEN next_attempt_at ELSE lease_until END) AS at
     FROM outbox_events WHERE state IN ('pending', 'in_flight')`,
  );
  // The state term is the `outbox_open` index's own (sqlite-schema.ts), so the index serves it.
  const selectDue = db.prepare<
    { origin: ConversionOrigin; pixelId: string; account: string; now: number; limit: number },
    Row
  >(
    `SELECT * FROM outbox_events
     WHERE state IN ('pending', 'in_flight') AND origin = @origin AND pixel_id = @pixelId
       AND account = @account AND ${DUE}
     ORDER BY id LIMIT @limit`,
  );
  const countOpen = db.prepare<NoParams, { n: number }>(
    `SELECT COUNT(*) AS n FROM outbox_events WHERE state IN ('pending', 'in_flight')`,
  );
  const countOpenOf = db.prepare<{ origin: ConversionOrigin }, { n: number }>(
    `SELECT COUNT(*) AS n FROM outbox_events WHERE state IN ('pending', 'in_flight') AND origin = @origin`,
  );
  const claimOne = db.prepare(
    `UPDATE outbox_events SET state = 'in_flight', lease_until = @leaseUntil, claim_token = @token,
       updated_at = @now WHERE id = @id`,
  );
  return {
    ready: (now: number): ReadyGroup[] =>
      readyStmt.all({ now }).map((row) => ({
        pixelId: row.pixel_id,
        account: row.account,
        due: row.due,
        since: row.since,
      })),
    nextDueAt: (): number | undefined => nextDueStmt.get()?.at ?? undefined,
    countUndelivered: (origin: ConversionOrigin | undefined): number =>
      (origin === undefined ? countOpen.get() : countOpenOf.get({ origin }))?.n ?? 0,
    /**
     * Runs inside the immediate transaction: the selects and the updates see
     * one state. Server rows first, then at most `browserLimit` browser rows.
     */
    claim(input: ClaimInput): OutboxEvent[] {
      const due = { pixelId: input.pixelId, account: input.account, now: input.now };
      const limit = Math.max(0, Math.floor(input.limit));
      const rows = selectDue.all({ ...due, origin: 'server', limit });
      const browserLimit = Math.min(limit - rows.length, input.browserLimit ?? limit);
      if (browserLimit > 0)
        rows.push(...selectDue.all({ ...due, origin: 'browser', limit: Math.floor(browserLimit) }));
      const token = newClaimToken();
      const leaseUntil = input.now + input.leaseMs;
      for (const row of rows) {
        claimOne.run({ id: row.id, leaseUntil, token, now: input.now });
        Object.assign(row, {
          state: 'in_flight',
          updated_at: input.now,
          lease_until: leaseUntil,
          claim_token: token,
        });
      }
      return rows.map(toEvent);
    },
  };
}

function settleRows(db: SqliteDriver) {
  const counts = deliveredCountsRows(db);
  // A delivered row keeps no identifiers (outbox.ts `markDelivered`); the
  // delivered count reads event_id and conversion_time, which stay.
  const deliverOne = db.prepare(
    `UPDATE outbox_events SET state = 'delivered', lease_until = NULL, claim_token = NULL,
       payload = json_remove(payload, '$.identifiers'), updated_at = @now WHERE ${HELD}`,
  );
  const rescheduleOne = db.prepare(
    `UPDATE outbox_events SET state = 'pending', lease_until = NULL, claim_token = NULL,
       next_attempt_at = @next, attempts = attempts + @inc, last_error = COALESCE(@error, last_error),
       updated_at = @now WHERE ${HELD}`,
  );
  const deadOne = db.prepare(
    `UPDATE outbox_events SET state = 'dead', lease_until = NULL, claim_token = NULL,
       last_error = @reason, updated_at = @now WHERE ${HELD}`,
  );
  return {
    markDelivered: (refs: readonly ClaimRef[], now: number) =>
      settleEach(refs, (ref) => {
        const result = deliverOne.run({ id: ref.id, token: ref.token, now });
        if (result.changes > 0) counts.record(ref.id, now);
        return result;
      }),
    reschedule: (refs: readonly ClaimRef[], input: RescheduleInput) =>
      settleEach(refs, (ref) =>
        rescheduleOne.run({
          id: ref.id,
          token: ref.token,
          next: input.nextAttemptAt,
          inc: input.countAttempt ? 1 : 0,
          error: input.error ?? null,
          now: input.now,
        }),
      ),
    markDead: (entries: readonly (ClaimRef & { reason: string })[], now: number) =>
      settleEach(entries, (e) => deadOne.run({ id: e.id, token: e.token, reason: e.reason, now })),
  };
}

function housekeepingRows(db: SqliteDriver) {
  const recoverStmt = db.prepare(
    `UPDATE outbox_events SET state = 'pending', lease_until = NULL, claim_token = NULL,
       next_attempt_at = MIN(next_attempt_at, @now), updated_at = @now
     WHERE state = 'in_flight' AND lease_until <= @now`,
  );
  const requeueAll = db.prepare(
    `UPDATE outbox_events SET state = 'pending', attempts = 0, next_attempt_at = @now, updated_at = @now
     WHERE state = 'dead'`,
  );
  const requeueOne = db.prepare(
    `UPDATE outbox_events SET state = 'pending', attempts = 0, next_attempt_at = @now, updated_at = @now
     WHERE state = 'dead' AND id = @id`,
  );
  const purgeStmt = db.prepare(
    `DELETE FROM outbox_events WHERE state = 'delivered' AND updated_at < @before`,
  );
  const deadStmt = db.prepare<{ account: string | null; limit: number }, Row>(
    `SELECT * FROM outbox_events WHERE state = 'dead' AND (@account IS NULL OR account = @account)
     ORDER BY id LIMIT @limit`,
  );
  return {
    recoverInFlight: (now: number): number => recoverStmt.run({ now }).changes,
    requeueDead(ids: readonly number[] | undefined, now: number): number {
      if (!ids) return requeueAll.run({ now }).changes;
      let n = 0;
      for (const id of ids) n += requeueOne.run({ id, now }).changes;
      return n;
    },
    purgeDelivered: (before: number): number => purgeStmt.run({ before }).changes,
    deadLetters: (options: { limit?: number; account?: string }): OutboxEvent[] =>
      deadStmt.all({ account: options.account ?? null, limit: options.limit ?? -1 }).map(toEvent),
  };
}

function statsRows(db: SqliteDriver) {
  const countsStmt = db.prepare<NoParams, { state: OutboxEvent['state']; n: number }>(
    'SELECT state, COUNT(*) AS n FROM outbox_events GROUP BY state',
  );
  const depthStmt = db.prepare<NoParams, { account: string; n: number; oldest: number }>(
    `SELECT account, COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox_events
     WHERE state IN ('pending', 'in_flight') GROUP BY account`,
  );
  return {
    stats(now: number): OutboxStats {
      const stats: OutboxStats = {
        pending: 0,
        inFlight: 0,
        delivered: 0,
        dead: 0,
        oldestPendingAgeMs: null,
        depthByAccount: {},
        oldestPendingAgeMsByAccount: {},
      };
      for (const { state, n } of countsStmt.all()) {
        if (state === 'pending') stats.pending = n;
        else if (state === 'in_flight') stats.inFlight = n;
        else if (state === 'delivered') stats.delivered = n;
        else stats.dead = n;
      }
      let oldest: number | undefined;
      for (const row of depthStmt.all()) {
        stats.depthByAccount[row.account] = row.n;
        stats.oldestPendingAgeMsByAccount[row.account] = Math.max(0, now - row.oldest);
        if (oldest === undefined || row.oldest < oldest) oldest = row.oldest;
      }
      stats.oldestPendingAgeMs = oldest === undefined ? null : Math.max(0, now - oldest);
      return stats;
    },
  };
}

/** Prepares every statement of the outbox on an open, migrated database. */
export function createSqliteOutboxRows(db: SqliteDriver) {
  return {
    ...enqueueRows(db),
    ...claimRows(db),
    ...settleRows(db),
    ...housekeepingRows(db),
    ...statsRows(db),
    deliveredCounts: deliveredCountsRows(db).list,
  };
}
