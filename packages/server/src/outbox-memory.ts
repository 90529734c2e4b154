/**
 * In-memory outbox: for tests and edge runtimes. Nothing survives the process,
 * so an event the route accepted is lost on a crash; use the SQLite store
 * (`@twclid-kit/server/sqlite`) where durability matters.
 */

import { deliveredTally } from './delivered-counts.ts';
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
  type OutboxStore,
  type ReadyGroup,
  type RescheduleInput,
  type SettleResult,
  withoutIdentifiers,
} from './outbox.ts';
import type { CapiConversion } from './x-types.ts';

interface Row extends Omit<OutboxEvent, 'claim'> {
  key: string | undefined;
  leaseUntil: number | undefined;
  token: string | undefined;
}

/** The rows and their indexes. */
interface Table {
  rows: Map<number, Row>;
  /** dedup key → ids of the events with that key, oldest first (a server and a browser copy at most, per window). */
  byKey: Map<string, number[]>;
  /**
   * IDs of events not yet delivered or dead, oldest first: what the dispatcher
   * scans, so its passes stay proportional to the backlog, not to history.
   */
  open: Set<number>;
  nextId: number;
  /** Delivered counts per tag and hour, kept after rows are purged. */
  delivered: ReturnType<typeof deliveredTally>;
}

function* openRows(t: Table): Generator<Row> {
  for (const id of t.open) {
    const row = t.rows.get(id);
    if (row) yield row;
  }
}

function copy(row: Row): OutboxEvent {
  const { key: _key, leaseUntil, token, ...event } = row;
  const out: OutboxEvent = { ...event, conversion: structuredClone(row.conversion) };
  if (row.state === 'in_flight' && token !== undefined && leaseUntil !== undefined)
    out.claim = { token, leaseUntil };
  return out;
}

const isDue = (row: Row, now: number): boolean =>
  (row.state === 'pending' && row.nextAttemptAt <= now) ||
  (row.state === 'in_flight' && (row.leaseUntil ?? 0) <= now);

/** Applies `fn` to each event whose claim is current; the others are reported stale. */
function settle(t: Table, refs: readonly ClaimRef[], fn: (row: Row) => void): SettleResult {
  const result: SettleResult = { settled: 0, stale: [] };
  for (const ref of refs) {
    const row = t.rows.get(ref.id);
    if (row?.state !== 'in_flight' || row.token !== ref.token) {
      result.stale.push(ref.id);
      continue;
    }
    row.token = undefined;
    row.leaseUntil = undefined;
    fn(row);
    result.settled++;
  }
  return result;
}

/** The newest row with `key` created inside the window that `match` accepts. */
function newestWithKey(
  t: Table,
  key: string,
  since: number,
  match: (row: Row) => boolean,
): Row | undefined {
  const ids = t.byKey.get(key) ?? [];
  for (let i = ids.length - 1; i >= 0; i--) {
    const row = t.rows.get(ids[i] as number);
    if (row && row.createdAt > since && match(row)) return row;
  }
  return undefined;
}

/** Precedence by origin: see `EnqueueInput.dedupWindowMs` (outbox.ts). */
function enqueue(t: Table, input: EnqueueInput): EnqueueResult {
  const key = dedupKey(input.conversion);
  const origin: ConversionOrigin = input.origin ?? 'server';
  if (key !== undefined) {
    const since = input.now - input.dedupWindowMs;
    const held = newestWithKey(t, key, since, (r) => origin === 'browser' || r.origin === 'server');
    if (held) return { id: held.id, duplicate: true };
    const browser =
      origin === 'server'
        ? newestWithKey(t, key, since, (r) => r.origin === 'browser' && r.state === 'pending')
        : undefined;
    if (browser) {
      browser.conversion = structuredClone(input.conversion);
      browser.origin = 'server';
      browser.pixelId = input.pixelId;
      browser.account = input.account;
      browser.updatedAt = input.now;
      return { id: browser.id, duplicate: false };
    }
  }
  const id = t.nextId++;
  t.rows.set(id, {
    id,
    pixelId: input.pixelId,
    account: input.account,
    conversion: structuredClone(input.conversion),
    origin,
    state: 'pending',
    attempts: 0,
    nextAttemptAt: input.now,
    createdAt: input.now,
    updatedAt: input.now,
    key,
    leaseUntil: undefined,
    token: undefined,
  });
  if (key !== undefined) t.byKey.set(key, [...(t.byKey.get(key) ?? []), id]);
  t.open.add(id);
  return { id, duplicate: false };
}

function ready(t: Table, now: number): ReadyGroup[] {
  const groups = new Map<string, ReadyGroup>();
  for (const row of openRows(t)) {
    if (!isDue(row, now)) continue;
    const name = `${row.pixelId}\u0000${row.account}`;
    const since = row.createdAt;
    const group = groups.get(name);
    if (group) {
      group.due++;
      group.since = Math.min(group.since, since);
    } else groups.set(name, { pixelId: row.pixelId, account: row.account, due: 1, since });
  }
  return [...groups.values()];
}

function nextDueAt(t: Table): number | undefined {
  let next: number | undefined;
  for (const row of openRows(t)) {
    const at = row.state === 'pending' ? row.nextAttemptAt : row.leaseUntil;
    if (at !== undefined && (next === undefined || at < next)) next = at;
  }
  return next;
}

/** Server rows first, then at most `browserLimit` browser rows; each oldest first. */
function claim(t: Table, input: ClaimInput): OutboxEvent[] {
  const claimed: OutboxEvent[] = [];
  const token = newClaimToken();
  const take = (origin: ConversionOrigin, limit: number) => {
    let taken = 0;
    // Set iteration follows insertion order: oldest first (a requeued dead letter goes last).
    for (const row of openRows(t)) {
      if (claimed.length >= input.limit || taken >= limit) break;
      if (row.origin !== origin) continue;
      if (row.pixelId !== input.pixelId || row.account !== input.account) continue;
      if (!isDue(row, input.now)) continue;
      row.state = 'in_flight';
      row.leaseUntil = input.now + input.leaseMs;
      row.token = token;
      row.updatedAt = input.now;
      claimed.push(copy(row));
      taken++;
    }
  };
  take('server', input.limit);
  take('browser', Math.floor(input.browserLimit ?? input.limit));
  return claimed;
}

function countUndelivered(t: Table, origin: ConversionOrigin | undefined): number {
  if (origin === undefined) return t.open.size;
  let n = 0;
  for (const row of openRows(t)) if (row.origin === origin) n++;
  return n;
}

function stats(t: Table, now: number): OutboxStats {
  const out: OutboxStats = {
    pending: 0,
    inFlight: 0,
    delivered: 0,
    dead: 0,
    oldestPendingAgeMs: null,
    depthByAccount: {},
    oldestPendingAgeMsByAccount: {},
  };
  let oldest: number | undefined;
  const oldestByAccount = new Map<string, number>();
  for (const row of t.rows.values()) {
    if (row.state === 'delivered') out.delivered++;
    else if (row.state === 'dead') out.dead++;
    else {
      if (row.state === 'pending') out.pending++;
      else out.inFlight++;
      out.depthByAccount[row.account] = (out.depthByAccount[row.account] ?? 0) + 1;
      if (oldest === undefined || row.createdAt < oldest) oldest = row.createdAt;
      const accountOldest = oldestByAccount.get(row.account);
      if (accountOldest === undefined || row.createdAt < accountOldest)
        oldestByAccount.set(row.account, row.createdAt);
    }
  }
  out.oldestPendingAgeMs = oldest === undefined ? null : Math.max(0, now - oldest);
  for (const [name, at] of oldestByAccount)
    out.oldestPendingAgeMsByAccount[name] = Math.max(0, now - at);
  return out;
}

/** The settle calls: each acts only on events whose claim token is current. */
function settlers(t: Table): Pick<OutboxStore, 'markDelivered' | 'reschedule' | 'markDead'> {
  return {
    async markDelivered(refs, now) {
      return settle(t, refs, (row) => {
        t.open.delete(row.id);
        row.state = 'delivered';
        row.updatedAt = now;
        t.delivered.add(row.pixelId, row.conversion, now);
        row.conversion = withoutIdentifiers(row.conversion);
      });
    },
    async reschedule(refs, input: RescheduleInput) {
      return settle(t, refs, (row) => {
        row.state = 'pending';
        row.nextAttemptAt = input.nextAttemptAt;
        if (input.countAttempt) row.attempts++;
        if (input.error !== undefined) row.lastError = input.error;
        row.updatedAt = input.now;
      });
    },
    async markDead(entries, now) {
      const reasons = new Map(entries.map((e) => [e.id, e.reason]));
      return settle(t, entries, (row) => {
        t.open.delete(row.id);
        row.state = 'dead';
        row.lastError = reasons.get(row.id) as string;
        row.updatedAt = now;
      });
    },
  };
}

/** Dead letters, requeue and purge: the operator's side. */
function housekeeping(
  t: Table,
): Pick<OutboxStore, 'recoverInFlight' | 'deadLetters' | 'requeueDead' | 'purgeDelivered'> {
  return {
    async recoverInFlight(now) {
      let count = 0;
      for (const row of openRows(t)) {
        if (row.state !== 'in_flight' || (row.leaseUntil ?? 0) > now) continue;
        row.state = 'pending';
        row.leaseUntil = undefined;
        row.token = undefined;
        row.nextAttemptAt = Math.min(row.nextAttemptAt, now);
        row.updatedAt = now;
        count++;
      }
      return count;
    },
    async deadLetters(options = {}) {
      const out: OutboxEvent[] = [];
      for (const row of t.rows.values()) {
        if (row.state !== 'dead') continue;
        if (options.account !== undefined && row.account !== options.account) continue;
        out.push(copy(row));
        if (options.limit !== undefined && out.length >= options.limit) break;
      }
      return out;
    },
    async requeueDead({ now, ids }) {
      const wanted = ids ? new Set(ids) : undefined;
      let count = 0;
      for (const row of t.rows.values()) {
        if (row.state !== 'dead' || (wanted && !wanted.has(row.id))) continue;
        t.open.add(row.id);
        row.state = 'pending';
        row.attempts = 0;
        row.nextAttemptAt = now;
        row.updatedAt = now;
        count++;
      }
      return count;
    },
    async purgeDelivered({ now, olderThanMs }) {
      let count = 0;
      for (const row of [...t.rows.values()]) {
        if (row.state !== 'delivered' || row.updatedAt >= now - olderThanMs) continue;
        t.rows.delete(row.id);
        if (row.key !== undefined) {
          const left = (t.byKey.get(row.key) ?? []).filter((id) => id !== row.id);
          if (left.length > 0) t.byKey.set(row.key, left);
          else t.byKey.delete(row.key);
        }
        count++;
      }
      return count;
    },
  };
}

/** Each memory outbox's table, for `memoryOutboxConversion`. */
const tables = new WeakMap<OutboxStore, Table>();

/**
 * The stored conversion of event `id` whatever its state (a delivered row's
 * included, which no store method returns), or `undefined`: for tests that
 * check what the outbox retains. Not part of the package's entries.
 */
export function memoryOutboxConversion(store: OutboxStore, id: number): CapiConversion | undefined {
  const row = tables.get(store)?.rows.get(id);
  return row ? structuredClone(row.conversion) : undefined;
}

/**
 * Creates an in-memory outbox.
 *
 * @example
 * ```ts
 * const kit = twclidKit({ pixelId: 'o8z6j', auth, events: ['o87ne'], store: memoryOutbox() });
 * ```
 */
export function memoryOutbox(): OutboxStore {
  const t: Table = {
    rows: new Map(),
    byKey: new Map(),
    open: new Set(),
    nextId: 1,
    delivered: deliveredTally(),
  };
  const store: OutboxStore = {
    enqueue: async (input) => enqueue(t, input),
    ready: async (now) => ready(t, now),
    nextDueAt: async () => nextDueAt(t),
    claim: async (input) => claim(t, input),
    ...settlers(t),
    ...housekeeping(t),
    stats: async (now) => stats(t, now),
    countUndelivered: async (options = {}) => countUndelivered(t, options.origin),
    deliveredCounts: async (query) => t.delivered.list(query),
    async close() {},
  };
  tables.set(store, t);
  return store;
}
