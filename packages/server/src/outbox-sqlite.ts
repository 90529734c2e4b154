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
 * Several processes may share the file (sqlite-schema.ts says how writes wait
 * for each other): claims carry a random token and a lease, so no process
 * settles or recovers another's live claim, and `rateBudget()` keeps X's budget
 * in the same file for all of them (rate-budget-sqlite.ts).
 *
 * Node-only: imported from `@twclid-kit/server/sqlite`, never from the main entry.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { Database } from './better-sqlite3.ts';
import { DEFAULT_DB_PATH } from './config.ts';
import { isStoreUnavailableError } from './errors.ts';
import type { EnqueueInput, EnqueueResult, OutboxStore } from './outbox.ts';
import { createSqliteOutboxRows } from './outbox-sqlite-rows.ts';
import { sqliteRateBudget } from './rate-budget-sqlite.ts';
import { BUSY_TIMEOUT_MS_DEFAULT, guarded, migrate, writeTx } from './sqlite-schema.ts';

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
  /**
   * How long a write waits for another process's lock before it fails with a
   * `StoreUnavailableError` (the kit answers 503 with `Retry-After`). Default 5000 ms.
   */
  busyTimeoutMs?: number;
}

/** Resolves the database file: option, then `TWCLID_KIT_DB`, then the default. */
export function resolveOutboxPath(path?: string): string {
  return path ?? process.env.TWCLID_KIT_DB ?? OUTBOX_DB_DEFAULT;
}

/**
 * Creates what is missing of the database's folder (0700) and file (0600): the
 * rows hold hashed identifiers, IP addresses and user agents, which other local
 * users have no reason to read. SQLite gives the `-wal` and `-shm` files the
 * database file's permissions. Existing folders and files keep theirs.
 */
function createPrivately(path: string): void {
  mkdirSync(dirname(resolve(path)), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

function openDatabase(
  options: SqliteOutboxOptions,
  synchronous: 'FULL' | 'NORMAL',
): BetterSqlite3.Database {
  const path = resolveOutboxPath(options.path);
  if (path !== ':memory:') createPrivately(path);
  return guarded(() => {
    const db = new Database(path, { timeout: options.busyTimeoutMs ?? BUSY_TIMEOUT_MS_DEFAULT });
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    migrate(db);
    return db;
  });
}

/**
 * X's budget on its own connection with `synchronous = NORMAL`: a spend is
 * written before every request, and losing the last spends to a power loss
 * only means a few events fewer budgeted, so it need not wait for an fsync
 * as an accepted event does. (`:memory:` has one database per connection.)
 */
function budgetConnection(db: BetterSqlite3.Database, options: SqliteOutboxOptions) {
  let own: BetterSqlite3.Database | undefined;
  return {
    get: () => {
      if (resolveOutboxPath(options.path) === ':memory:') return db;
      own ??= openDatabase(options, 'NORMAL');
      return own;
    },
    close: () => {
      if (own?.open) own.close();
    },
  };
}

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

/**
 * Opens (creating or upgrading if needed) the SQLite outbox.
 *
 * @example
 * ```ts
 * import { sqliteOutbox } from '@twclid-kit/server/sqlite';
 * const store = sqliteOutbox(); // TWCLID_KIT_DB or ./.twclid-kit/outbox.db
 * ```
 */
export function sqliteOutbox(options: SqliteOutboxOptions = {}): OutboxStore {
  const db = openDatabase(options, options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL');
  const budgetDb = budgetConnection(db, options);
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
    rateBudget: (budgetOptions) => sqliteRateBudget(budgetDb.get(), budgetOptions),
    deliveredCounts: (query) => read(() => rows.deliveredCounts(query)),
    async close() {
      group.commitWaiting();
      budgetDb.close();
      if (db.open) db.close();
    },
  };
}
