/**
 * The SQLite outbox on any `SqliteDriver` (sqlite-driver.ts): the statements
 * of outbox-sqlite-rows.ts, each write in a lock-first transaction
 * (sqlite-schema.ts), and group commit. It imports nothing of Node, so the
 * same store runs on better-sqlite3, `bun:sqlite`, `node:sqlite` and a
 * Durable Object's storage; opening files is sqlite-file.ts's.
 */
import { isStoreUnavailableError } from './errors.ts';
import type { EnqueueInput, EnqueueResult, OutboxStore } from './outbox.ts';
import { createSqliteOutboxRows } from './outbox-sqlite-rows.ts';
import { sqliteRateBudget } from './rate-budget-sqlite.ts';
import type { SqliteDriver } from './sqlite-driver.ts';
import { guarded, writeTx } from './sqlite-schema.ts';

/** The real `setImmediate`, captured at load so fake timers in tests cannot stall a commit. */
const defer: (fn: () => void) => unknown =
  globalThis.setImmediate ?? ((fn: () => void) => globalThis.setTimeout(fn, 0));

interface Waiting {
  input: EnqueueInput;
  resolve: (r: EnqueueResult) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit: enqueues arriving in the same event-loop turn share one
 * transaction, so one fsync covers them all. Each promise still resolves only
 * after its commit.
 */
function groupCommit(enqueueTx: (inputs: readonly EnqueueInput[]) => EnqueueResult[]) {
  let waiting: Waiting[] = [];
  const commitWaiting = () => {
    const batch = waiting;
    waiting = [];
    if (batch.length === 0) return;
    try {
      const results = enqueueTx(batch.map((w) => w.input));
      for (const [i, w] of batch.entries()) w.resolve(results[i] as EnqueueResult);
    } catch (error) {
      // The file is locked or full: every enqueue of the group fails alike
      // (one by one would wait out the busy timeout once per event).
      if (isStoreUnavailableError(error)) {
        for (const w of batch) w.reject(error);
        return;
      }
      // One bad input must not fail its neighbours: commit them one by one.
      for (const w of batch) {
        try {
          w.resolve(enqueueTx([w.input])[0] as EnqueueResult);
        } catch (one) {
          w.reject(one);
        }
      }
    }
  };
  return {
    commitWaiting,
    enqueue(input: EnqueueInput): Promise<EnqueueResult> {
      return new Promise<EnqueueResult>((resolve, reject) => {
        waiting.push({ input, resolve, reject });
        if (waiting.length === 1) defer(commitWaiting);
      });
    },
  };
}

export interface DriverStoreOptions {
  /** The outbox's connection, open and migrated (sqlite-schema.ts `migrate`). */
  driver: SqliteDriver;
  /**
   * The connection X's budget writes on, opened on first use (a second one
   * with `synchronous = NORMAL` on a file; the outbox's own otherwise).
   */
  budgetDriver?: () => SqliteDriver;
}

/** The outbox on an open, migrated connection; `close()` closes both connections. */
export function driverOutbox({ driver: db, budgetDriver }: DriverStoreOptions): OutboxStore {
  let budgetDb: SqliteDriver | undefined;
  const budget = () => {
    budgetDb ??= budgetDriver?.() ?? db;
    return budgetDb;
  };
  const rows = createSqliteOutboxRows(db);
  const group = groupCommit(writeTx(db, rows.enqueueAll));
  const read = <T>(fn: () => T): Promise<T> => Promise.resolve().then(() => guarded(fn));
  const claimTx = writeTx(db, rows.claim);
  const deliverTx = writeTx(db, rows.markDelivered);
  const rescheduleTx = writeTx(db, rows.reschedule);
  const deadTx = writeTx(db, rows.markDead);
  const recoverTx = writeTx(db, rows.recoverInFlight);
  const requeueTx = writeTx(db, rows.requeueDead);
  const purgeTx = writeTx(db, rows.purgeDelivered);
  return {
    enqueue: group.enqueue,
    ready: (now) => read(() => rows.ready(now)),
    nextDueAt: () => read(() => rows.nextDueAt()),
    stats: (now) => read(() => rows.stats(now)),
    countUndelivered: (o = {}) => read(() => rows.countUndelivered(o.origin)),
    deadLetters: (o = {}) => read(() => rows.deadLetters(o)),
    claim: async (input) => claimTx(input),
    markDelivered: async (refs, now) => deliverTx(refs, now),
    reschedule: async (refs, input) => rescheduleTx(refs, input),
    markDead: async (entries, now) => deadTx(entries, now),
    recoverInFlight: async (now) => recoverTx(now),
    requeueDead: async ({ now, ids }) => requeueTx(ids, now),
    purgeDelivered: async ({ now, olderThanMs }) => purgeTx(now - olderThanMs),
    rateBudget: (budgetOptions) => sqliteRateBudget(budget(), budgetOptions),
    deliveredCounts: (query) => read(() => rows.deliveredCounts(query)),
    async close() {
      group.commitWaiting();
      if (budgetDb !== undefined && budgetDb !== db) budgetDb.close();
      db.close();
    },
  };
}
