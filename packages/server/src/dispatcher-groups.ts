/**
 * The dispatcher's passes over the outbox: which pixel/account groups are due,
 * one task per group that claims batches (their budget taken first) and hands
 * them to the outbox delivery, and when the next pass should run.
 *
 * A claim takes server-vouched rows before browser rows, and at most as many
 * browser rows as the browser share of X's budget allows (dispatcher-share.ts).
 */
import type { PausedAccount } from './dispatcher.ts';
import { browserKey, browserRows } from './dispatcher-share.ts';
import type { OutboxEvent, OutboxStore, ReadyGroup } from './outbox.ts';
import type { Logger, RateBudget } from './x-types.ts';

export interface GroupPassesOptions {
  store: OutboxStore;
  budget: RateBudget;
  /** The browser share of `budget` (keyed `browserKey(account)`); absent: no share. */
  browserBudget?: RateBudget | undefined;
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
  const { store, budget, browserBudget, now, batchSize, flushIntervalMs, leaseMs } = options;
  const { pauseOf, settle, pollIntervalMs } = options;
  /** Group tasks in progress, per pixel/account. */
  const busy = new Map<string, Promise<number>>();
  /** Groups whose last claim left browser rows behind for want of the browser share. */
  const shareSpent = new Set<string>();

  /**
   * Takes X's budget for up to `wanted` events and the browser share of it,
   * claims server rows first and browser rows up to the share, and gives back
   * to each budget what the claim did not use.
   */
  async function claimBatch(group: ReadyGroup, wanted: number, at: number, key: string) {
    shareSpent.delete(key);
    const granted = await budget.take(group.account, wanted);
    if (granted === 0) return [];
    const shareKey = browserKey(group.account);
    const browser = browserBudget ? await browserBudget.take(shareKey, granted) : undefined;
    const events = await store.claim({
      pixelId: group.pixelId,
      account: group.account,
      limit: granted,
      ...(browser !== undefined ? { browserLimit: browser } : {}),
      now: at,
      leaseMs,
    });
    if (events.length < granted) await budget.refund(group.account, granted - events.length);
    if (browserBudget && browser !== undefined) {
      const claimed = browserRows(events);
      if (claimed < browser) await browserBudget.refund(shareKey, browser - claimed);
      // The claim had room it could not fill with the browser rows allowed: if rows
      // are left, they wait for the share (nextWake), not for X's budget.
      if (events.length < granted && browser < granted && claimed === browser) shareSpent.add(key);
    }
    return events;
  }

  /** Sends due batches of one group, one request at a time; returns the events handed to X. */
  async function sendGroup(group: ReadyGroup, draining: boolean, key: string): Promise<number> {
    let sent = 0;
    let due = group.due;
    const ripe = draining || now() - group.since >= flushIntervalMs;
    while (due > 0 && (ripe || due >= batchSize)) {
      const at = now();
      if (pauseOf(group.account, at)) break;
      const events = await claimBatch(group, Math.min(batchSize, due), at, key);
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
      const task = sendGroup(group, draining, key).then(
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
      const key = `${group.pixelId}\u0000${group.account}`;
      // A group still sending reschedules itself when its task ends.
      if (busy.has(key)) continue;
      const pause = pauseOf(group.account, at);
      if (pause) consider(pause.until);
      else {
        const flushAt = group.due >= batchSize ? at : group.since + flushIntervalMs;
        let free = await budget.nextFreeAt(group.account);
        // Only browser rows were left: they wait for the share. A server row
        // enqueued meanwhile wakes the dispatcher through notify().
        if (browserBudget && shareSpent.has(key)) {
          free = Math.max(free, await browserBudget.nextFreeAt(browserKey(group.account)));
        }
        consider(Math.max(free, flushAt));
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
