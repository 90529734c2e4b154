/**
 * In-memory outbox: for tests and edge runtimes. Nothing survives the process,
 * so an event the route accepted is lost on a crash; use the SQLite store
 * (`@twclid-kit/server/sqlite`) where durability matters.
 */
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

interface Row extends OutboxEvent {
  key: string | undefined;
  leaseUntil: number | undefined;
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
  const rows = new Map<number, Row>();
  /** dedup key → id of the newest event with that key. */
  const byKey = new Map<string, number>();
  /**
   * IDs of events not yet delivered or dead, oldest first: what the dispatcher
   * scans, so its passes stay proportional to the backlog, not to history.
   */
  const open = new Set<number>();
  let nextId = 1;
  const openRows = function* (): Generator<Row> {
    for (const id of open) {
      const row = rows.get(id);
      if (row) yield row;
    }
  };

  const copy = (row: Row): OutboxEvent => {
    const { key: _key, leaseUntil: _lease, ...event } = row;
    return { ...event, conversion: structuredClone(row.conversion) };
  };
  const isDue = (row: Row, now: number): boolean =>
    (row.state === 'pending' && row.nextAttemptAt <= now) ||
    (row.state === 'in_flight' && (row.leaseUntil ?? 0) <= now);
  const each = (ids: readonly number[], fn: (row: Row) => void): void => {
    for (const id of ids) {
      const row = rows.get(id);
      if (row) fn(row);
    }
  };

  return {
    async enqueue(input: EnqueueInput): Promise<EnqueueResult> {
      const key = dedupKey(input.conversion);
      if (key !== undefined) {
        const previous = byKey.get(key);
        const row = previous === undefined ? undefined : rows.get(previous);
        if (row && row.createdAt > input.now - input.dedupWindowMs) {
          return { id: row.id, duplicate: true };
        }
      }
      const id = nextId++;
      rows.set(id, {
        id,
        pixelId: input.pixelId,
        account: input.account,
        conversion: structuredClone(input.conversion),
        state: 'pending',
        attempts: 0,
        nextAttemptAt: input.now,
        createdAt: input.now,
        updatedAt: input.now,
        key,
        leaseUntil: undefined,
      });
      if (key !== undefined) byKey.set(key, id);
      open.add(id);
      return { id, duplicate: false };
    },

    async ready(now: number): Promise<ReadyGroup[]> {
      const groups = new Map<string, ReadyGroup>();
      for (const row of openRows()) {
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
    },

    async nextDueAt(): Promise<number | undefined> {
      let next: number | undefined;
      for (const row of openRows()) {
        const at =
          row.state === 'pending'
            ? row.nextAttemptAt
            : row.state === 'in_flight'
              ? row.leaseUntil
              : undefined;
        if (at !== undefined && (next === undefined || at < next)) next = at;
      }
      return next;
    },

    async claim(input: ClaimInput): Promise<OutboxEvent[]> {
      const claimed: OutboxEvent[] = [];
      // Set iteration follows insertion order: oldest first (a requeued dead letter goes last).
      for (const row of openRows()) {
        if (claimed.length >= input.limit) break;
        if (row.pixelId !== input.pixelId || row.account !== input.account) continue;
        if (!isDue(row, input.now)) continue;
        row.state = 'in_flight';
        row.leaseUntil = input.now + input.leaseMs;
        row.updatedAt = input.now;
        claimed.push(copy(row));
      }
      return claimed;
    },

    async markDelivered(ids, now) {
      each(ids, (row) => {
        open.delete(row.id);
        row.state = 'delivered';
        row.leaseUntil = undefined;
        row.updatedAt = now;
      });
    },

    async reschedule(ids, input: RescheduleInput) {
      each(ids, (row) => {
        if (row.state === 'delivered' || row.state === 'dead') open.add(row.id);
        row.state = 'pending';
        row.leaseUntil = undefined;
        row.nextAttemptAt = input.nextAttemptAt;
        if (input.countAttempt) row.attempts++;
        if (input.error !== undefined) row.lastError = input.error;
        row.updatedAt = input.now;
      });
    },

    async markDead(entries, now) {
      for (const entry of entries) {
        const row = rows.get(entry.id);
        if (!row) continue;
        open.delete(row.id);
        row.state = 'dead';
        row.leaseUntil = undefined;
        row.lastError = entry.reason;
        row.updatedAt = now;
      }
    },

    async recoverInFlight(now) {
      let count = 0;
      for (const row of openRows()) {
        if (row.state !== 'in_flight') continue;
        row.state = 'pending';
        row.leaseUntil = undefined;
        row.nextAttemptAt = Math.min(row.nextAttemptAt, now);
        row.updatedAt = now;
        count++;
      }
      return count;
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
      let oldest: number | undefined;
      const oldestByAccount = new Map<string, number>();
      for (const row of rows.values()) {
        if (row.state === 'delivered') stats.delivered++;
        else if (row.state === 'dead') stats.dead++;
        else {
          if (row.state === 'pending') stats.pending++;
          else stats.inFlight++;
          stats.depthByAccount[row.account] = (stats.depthByAccount[row.account] ?? 0) + 1;
          if (oldest === undefined || row.createdAt < oldest) oldest = row.createdAt;
          const accountOldest = oldestByAccount.get(row.account);
          if (accountOldest === undefined || row.createdAt < accountOldest)
            oldestByAccount.set(row.account, row.createdAt);
        }
      }
      stats.oldestPendingAgeMs = oldest === undefined ? null : Math.max(0, now - oldest);
      for (const [name, at] of oldestByAccount)
        stats.oldestPendingAgeMsByAccount[name] = Math.max(0, now - at);
      return stats;
    },

    async deadLetters(options = {}) {
      const out: OutboxEvent[] = [];
      for (const row of rows.values()) {
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
      for (const row of rows.values()) {
        if (row.state !== 'dead' || (wanted && !wanted.has(row.id))) continue;
        open.add(row.id);
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
      for (const row of [...rows.values()]) {
        if (row.state !== 'delivered' || row.updatedAt >= now - olderThanMs) continue;
        rows.delete(row.id);
        if (row.key !== undefined && byKey.get(row.key) === row.id) byKey.delete(row.key);
        count++;
      }
      return count;
    },

    async close() {},
  };
}
