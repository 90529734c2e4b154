/**
 * The embedded durable outbox: one SQLite file through better-sqlite3.
 *
 * Durability: WAL journal with `synchronous = FULL`, so every commit fsyncs the
 * WAL before `enqueue()` resolves; the route answers 2xx only after that, so an
 * accepted event survives a process kill *and* a power loss. (`NORMAL` with WAL
 * survives a process crash but may lose the last commits on power loss; it is
 * offered as an option for throughput, documented as such.) The enqueue check
 * and insert run in one transaction, so deduplication is atomic.
 *
 * Node-only: imported from `@twclid-kit/server/sqlite`, never from the main entry.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Database } from './better-sqlite3.ts';
import { DEFAULT_DB_PATH } from './config.ts';
import {
  type ClaimInput,
  dedupKey,
  type EnqueueInput,
  type EnqueueResult,
  type OutboxEvent,
  type OutboxStats,
  type OutboxStore,
  type ReadyGroup,
  type RescheduleInput,
} from './outbox.ts';
import type { CapiConversion } from './x-types.ts';

/** The real `setImmediate`, captured at load so fake timers in tests cannot stall a commit. */
const defer = globalThis.setImmediate;

/** Default database file (env `TWCLID_KIT_DB` overrides it); the same value `configFromEnv()` uses. */
export const OUTBOX_DB_DEFAULT = DEFAULT_DB_PATH;

export interface SqliteOutboxOptions {
  /**
   * Database file. Default: env `TWCLID_KIT_DB`, else `./.twclid-kit/outbox.db`.
   * Its directory is created. `:memory:` is accepted (tests).
   */
  path?: string;
  /** `FULL` (default: durable across power loss) or `NORMAL` (durable across process crashes). */
  synchronous?: 'FULL' | 'NORMAL';
}

interface Row {
  id: number;
  pixel_id: string;
  account: string;
  payload: string;
  state: OutboxEvent['state'];
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  pixel_id TEXT NOT NULL,
  account TEXT NOT NULL,
  dedup_key TEXT,
  payload TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'delivered', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_dedup ON outbox_events (dedup_key, created_at)
  WHERE dedup_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS outbox_due ON outbox_events (state, pixel_id, account, next_attempt_at);
`;

const DUE = `((state = 'pending' AND next_attempt_at <= @now) OR (state = 'in_flight' AND lease_until <= @now))`;

function toEvent(row: Row): OutboxEvent {
  const event: OutboxEvent = {
    id: row.id,
    pixelId: row.pixel_id,
    account: row.account,
    conversion: JSON.parse(row.payload) as CapiConversion,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.last_error !== null) event.lastError = row.last_error;
  return event;
}

/** Resolves the database file: option, then `TWCLID_KIT_DB`, then the default. */
export function resolveOutboxPath(path?: string): string {
  return path ?? process.env.TWCLID_KIT_DB ?? OUTBOX_DB_DEFAULT;
}

/**
 * Opens (creating if needed) the SQLite outbox.
 *
 * @example
 * ```ts
 * import { sqliteOutbox } from '@twclid-kit/server/sqlite';
 * const store = sqliteOutbox(); // TWCLID_KIT_DB or ./.twclid-kit/outbox.db
 * ```
 */
export function sqliteOutbox(options: SqliteOutboxOptions = {}): OutboxStore {
  const path = resolveOutboxPath(options.path);
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);

  const findDuplicate = db.prepare<{ key: string; since: number }, { id: number }>(
    'SELECT id FROM outbox_events WHERE dedup_key = @key AND created_at > @since ORDER BY id DESC LIMIT 1',
  );
  const insert = db.prepare(
    `INSERT INTO outbox_events (pixel_id, account, dedup_key, payload, state, attempts, next_attempt_at, created_at, updated_at)
     VALUES (@pixelId, @account, @key, @payload, 'pending', 0, @now, @now, @now)`,
  );
  const enqueueOne = (input: EnqueueInput): EnqueueResult => {
    const key = dedupKey(input.conversion) ?? null;
    if (key !== null) {
      const found = findDuplicate.get({ key, since: input.now - input.dedupWindowMs });
      if (found) return { id: found.id, duplicate: true };
    }
    const info = insert.run({
      pixelId: input.pixelId,
      account: input.account,
      key,
      payload: JSON.stringify(input.conversion),
      now: input.now,
    });
    return { id: Number(info.lastInsertRowid), duplicate: false };
  };
  const enqueueTx = db.transaction((inputs: readonly EnqueueInput[]) => inputs.map(enqueueOne));

  // Group commit: enqueues arriving in the same event-loop turn share one
  // transaction, so one fsync covers them all. Each promise still resolves only
  // after its commit.
  let waiting: {
    input: EnqueueInput;
    resolve: (r: EnqueueResult) => void;
    reject: (e: unknown) => void;
  }[] = [];
  const commitWaiting = () => {
    const batch = waiting;
    waiting = [];
    if (batch.length === 0) return;
    try {
      const results = enqueueTx(batch.map((w) => w.input));
      for (const [i, w] of batch.entries()) w.resolve(results[i] as EnqueueResult);
    } catch {
      // One bad input must not fail its neighbours: commit them one by one.
      for (const w of batch) {
        try {
          w.resolve((enqueueTx([w.input]) as EnqueueResult[])[0] as EnqueueResult);
        } catch (error) {
          w.reject(error);
        }
      }
    }
  };

  const readyStmt = db.prepare<
    { now: number },
    { pixel_id: string; account: string; due: number; since: number }
  >(
    `SELECT pixel_id, account, COUNT(*) AS due,
MIN(created_at) AS since
     FROM outbox_events WHERE ${DUE} GROUP BY pixel_id, account`,
  );
  const nextDueStmt = db.prepare<[], { at: number | null }>(
    `SELECT MIN(CASE state WHEN 'pending' THEN next_attempt_at ELSE lease_until END) AS at
     FROM outbox_events WHERE state IN ('pending', 'in_flight')`,
  );
  const selectDue = db.prepare<
    { pixelId: string; account: string; now: number; limit: number },
    Row
  >(
    `SELECT * FROM outbox_events WHERE pixel_id = @pixelId AND account = @account AND ${DUE}
     ORDER BY id LIMIT @limit`,
  );
  const claimOne = db.prepare(
    `UPDATE outbox_events SET state = 'in_flight', lease_until = @leaseUntil, updated_at = @now WHERE id = @id`,
  );
  const claimTx = db.transaction((input: ClaimInput): OutboxEvent[] => {
    const rows = selectDue.all(input);
    for (const row of rows) {
      claimOne.run({ id: row.id, leaseUntil: input.now + input.leaseMs, now: input.now });
      row.state = 'in_flight';
      row.updated_at = input.now;
    }
    return rows.map(toEvent);
  });

  const deliverOne = db.prepare(
    `UPDATE outbox_events SET state = 'delivered', lease_until = NULL, updated_at = @now WHERE id = @id`,
  );
  const rescheduleOne = db.prepare(
    `UPDATE outbox_events SET state = 'pending', lease_until = NULL, next_attempt_at = @next,
       attempts = attempts + @inc, last_error = COALESCE(@error, last_error), updated_at = @now
     WHERE id = @id`,
  );
  const deadOne = db.prepare(
    `UPDATE outbox_events SET state = 'dead', lease_until = NULL, last_error = @reason, updated_at = @now WHERE id = @id`,
  );
  const deliverTx = db.transaction((ids: readonly number[], now: number) => {
    for (const id of ids) deliverOne.run({ id, now });
  });
  const rescheduleTx = db.transaction((ids: readonly number[], input: RescheduleInput) => {
    for (const id of ids) {
      rescheduleOne.run({
        id,
        next: input.nextAttemptAt,
        inc: input.countAttempt ? 1 : 0,
        error: input.error ?? null,
        now: input.now,
      });
    }
  });
  const deadTx = db.transaction(
    (entries: readonly { id: number; reason: string }[], now: number) => {
      for (const entry of entries) deadOne.run({ id: entry.id, reason: entry.reason, now });
    },
  );
  const recoverStmt = db.prepare(
    `UPDATE outbox_events SET state = 'pending', lease_until = NULL,
       next_attempt_at = MIN(next_attempt_at, @now), updated_at = @now WHERE state = 'in_flight'`,
  );
  const countsStmt = db.prepare<[], { state: OutboxEvent['state']; n: number }>(
    'SELECT state, COUNT(*) AS n FROM outbox_events GROUP BY state',
  );
  const depthStmt = db.prepare<[], { account: string; n: number; oldest: number }>(
    `SELECT account, COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox_events
     WHERE state IN ('pending', 'in_flight') GROUP BY account`,
  );
  const requeueAll = db.prepare(
    `UPDATE outbox_events SET state = 'pending', attempts = 0, next_attempt_at = @now, updated_at = @now
     WHERE state = 'dead'`,
  );
  const requeueOne = db.prepare(
    `UPDATE outbox_events SET state = 'pending', attempts = 0, next_attempt_at = @now, updated_at = @now
     WHERE state = 'dead' AND id = @id`,
  );
  const requeueTx = db.transaction((ids: readonly number[] | undefined, now: number): number => {
    if (!ids) return requeueAll.run({ now }).changes;
    let n = 0;
    for (const id of ids) n += requeueOne.run({ id, now }).changes;
    return n;
  });
  const purgeStmt = db.prepare(
    `DELETE FROM outbox_events WHERE state = 'delivered' AND updated_at < @before`,
  );

  return {
    enqueue(input) {
      return new Promise<EnqueueResult>((resolve, reject) => {
        waiting.push({ input, resolve, reject });
        if (waiting.length === 1) defer(commitWaiting);
      });
    },
    async ready(now): Promise<ReadyGroup[]> {
      return readyStmt.all({ now }).map((row) => ({
        pixelId: row.pixel_id,
        account: row.account,
        due: row.due,
        since: row.since,
      }));
    },
    async nextDueAt() {
      return nextDueStmt.get()?.at ?? undefined;
    },
    async claim(input) {
      return claimTx(input);
    },
    async markDelivered(ids, now) {
      deliverTx(ids, now);
    },
    async reschedule(ids, input) {
      rescheduleTx(ids, input);
    },
    async markDead(entries, now) {
      deadTx(entries, now);
    },
    async recoverInFlight(now) {
      return recoverStmt.run({ now }).changes;
    },
    async stats(now): Promise<OutboxStats> {
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
    async deadLetters(options = {}) {
      const rows = db
        .prepare<{ account: string | null; limit: number }, Row>(
          `SELECT * FROM outbox_events WHERE state = 'dead' AND (@account IS NULL OR account = @account)
           ORDER BY id LIMIT @limit`,
        )
        .all({ account: options.account ?? null, limit: options.limit ?? -1 });
      return rows.map(toEvent);
    },
    async requeueDead({ now, ids }) {
      return requeueTx(ids, now);
    },
    async purgeDelivered({ now, olderThanMs }) {
      return purgeStmt.run({ before: now - olderThanMs }).changes;
    },
    async close() {
      commitWaiting();
      if (db.open) db.close();
    },
  };
}
