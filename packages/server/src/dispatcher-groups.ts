/**
 * The dispatcher's passes over the outbox: which pixel/account groups are due,
 * one task per group that claims batches (their budget taken first) and hands
 * them to the outbox delivery, and when the next pass should run.
 */
import type { PausedAccount } from './dispatcher.ts';
import type { OutboxEvent, OutboxStore, ReadyGroup } from './outbox.ts';
import type { Logger, RateBudget } from './x-types.ts';

export interface GroupPassesOptions {
  store: OutboxStore;
  budget: RateBudget;
  logger: Logger;
  now: () => number;
  batchSize: number;
  flushIntervalMs: number;
  leaseMs: number;
  pollIntervalMs: number;
  /** The account's pause in force at `at`, if any. */
  pauseOf(account: string, at: number): PausedAccount | undefined;
  /** Sends claimed events and settles them (outbox-delivery.ts). */
  settle(pixelId: string, account: string, events: OutboxEvent[]): Promise<void>;
  /** A group task ended, having handed `sent` events to X; `ok` is false when the store failed. */
  onGroupDone(sent: number, ok: boolean): void;
  /** A group task failed (the store, most likely): the dispatcher retries after a backoff. */
  onError(error: unknown): void;
}

export interface GroupPasses {
  pass(draining: boolean, wait: boolean): Promise<{ sent: number; started: number }>;
  /** When the next pass should run (epoch ms), from the store, the pauses and the budget. */
  nextWake(): Promise<number | undefined>;
}

export function createGroupPasses(options: GroupPassesOptions): GroupPasses {
  const { store, budget, now, batchSize, flushIntervalMs, leaseMs, pollIntervalMs } = options;
  const { pauseOf, settle } = options;
  /** Group tasks in progress, per pixel/account. */
  const busy = new Map<string, Promise<number>>();

  /** Sends due batches of one group, one request at a time; returns the events handed to X. */
  async function sendGroup(group: ReadyGroup, draining: boolean): Promise<number> {
    let sent = 0;
    let due = group.due;
    const ripe = draining || now() - group.since >= flushIntervalMs;
    while (due > 0 && (ripe || due >= batchSize)) {
      const at = now();
      if (pauseOf(group.account, at)) break;
      const wanted = Math.min(batchSize, due);
      const granted = await budget.take(group.account, wanted);
      if (granted === 0) break;
      const events = await store.claim({
        pixelId: group.pixelId,
        account: group.account,
        limit: granted,
        now: at,
        leaseMs,
      });
      if (events.length < granted) await budget.refund(group.account, granted - events.length);
      if (events.length === 0) break;
      await settle(group.pixelId, group.account, events);
      sent += events.length;
      due -= events.length;
    }
    return sent;
  }

  /**
   * One pass over every due group. A group is sent when it fills a batch or its
   * longest-waiting event has waited `flushIntervalMs` (always when draining).
   * Each group runs as its own task, so a slow or hanging request for one
   * pixel/account never holds up the others. With `wait`, the pass waits for
   * every group task (its own and those already running) and `sent` counts the
   * events handed to X; without, it returns once the tasks are started (each
   * reschedules the dispatcher when it ends).
   */
  async function pass(
    draining: boolean,
    wait: boolean,
  ): Promise<{ sent: number; started: number }> {
    const tasks: Promise<number>[] = [];
    for (const group of await store.ready(now())) {
      const key = `${group.pixelId}\u0000${group.account}`;
      const running = busy.get(key);
      if (running) {
        if (wait) tasks.push(running.then(() => 0));
        continue;
      }
      const task = sendGroup(group, draining).then(
        (sent) => {
          busy.delete(key);
          options.onGroupDone(sent, true);
          return sent;
        },
        (error: unknown) => {
          busy.delete(key);
          options.onError(error);
          options.onGroupDone(0, false);
          return 0;
        },
      );
      busy.set(key, task);
      tasks.push(task);
    }
    const started = busy.size;
    if (!wait) return { sent: 0, started };
    const counts = await Promise.all(tasks);
    return { sent: counts.reduce((a, b) => a + b, 0), started };
  }

  /** When the next pass should run, from the store, the pauses and the budget. */
  async function nextWake(): Promise<number | undefined> {
    const at = now();
    const groups = await store.ready(at);
    let wake: number | undefined;
    const consider = (t: number) => {
      if (wake === undefined || t < wake) wake = t;
    };
    for (const group of groups) {
      // A group still sending reschedules itself when its task ends.
      if (busy.has(`${group.pixelId}\u0000${group.account}`)) continue;
      const pause = pauseOf(group.account, at);
      if (pause) consider(pause.until);
      else {
        const flushAt = group.due >= batchSize ? at : group.since + flushIntervalMs;
        consider(Math.max(await budget.nextFreeAt(group.account), flushAt));
      }
    }
    if (groups.length === 0) {
      const due = await store.nextDueAt();
      // Retries and paused accounts' events carry their own next attempt time.
      if (due !== undefined) consider(due);
    }
    consider(at + pollIntervalMs);
    return wake;
  }

  return { pass, nextWake };
}
