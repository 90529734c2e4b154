/**
 * The dispatcher: moves events from the outbox to X.
 *
 * Per pixel/account it fills batches of up to 500 (X's limit [REF12]), flushes
 * when a batch is full or `flushIntervalMs` after the first waiting event,
 * spends the account's rate budget (server-vouched events first; events posted
 * to the public endpoint also spend their share of it, dispatcher-share.ts,
 * docs/product.md "Safety (the server)"), and hands the batch to the delivery engine
 * (batch-delivery.ts; the outbox's side of it is outbox-delivery.ts), which sends
 * it and applies the retry policy:
 * backoff per batch; 429 pauses the account until X's reset; 400 halves the
 * batch until the bad events are alone and dead-letters them with X's message
 * (a request is all-or-nothing [WC]); 401/403/404 pause the account, keep the
 * events and log an error. Clock and timers are injected, so tests use fake time.
 * Imports nothing Node-only.
 */

import {
  AUTH_PAUSE_MS_DEFAULT,
  BATCH_SIZE_DEFAULT,
  FLUSH_INTERVAL_MS_DEFAULT,
  LEASE_MS_DEFAULT,
  POLL_INTERVAL_MS_DEFAULT,
} from './defaults.ts';
import { createGroupPasses } from './dispatcher-groups.ts';
import { accountPauses, earliestTimer, within } from './dispatcher-helpers.ts';
import { createFailureTracker, type DeliveryHealth } from './failure-tracker.ts';
import type { OutboxStore } from './outbox.ts';
import { createOutboxDelivery } from './outbox-delivery.ts';
import type { AttemptState } from './retry.ts';
import { MAX_CONVERSIONS_PER_REQUEST, REQUEST_TIMEOUT_MS_DEFAULT } from './x-limits.ts';
import type { Logger, RateBudget, RetryDecision, SendOutcome, XClient } from './x-types.ts';

/**
 * How long `stop()` keeps sending what is due before it leaves the rest stored.
 * Ours, not X's: long enough for one request to X to time out.
 */
export const SHUTDOWN_TIMEOUT_MS_DEFAULT = REQUEST_TIMEOUT_MS_DEFAULT;
/** Shortest re-check after a pass that could make no progress. */
const IDLE_FLOOR_MS = 25;

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface DispatcherOptions {
  store: OutboxStore;
  client: XClient;
  budget: RateBudget;
  /**
   * The browser share of `budget` (dispatcher-share.ts): a budget over the same
   * window with a fraction of its limit, kept under `<account>#browser`. Events
   * posted to the public endpoint (`origin: 'browser'`) spend it as well, and
   * server-vouched events are claimed first. Absent: browser events share X's
   * budget with no cap of their own.
   */
  browserBudget?: RateBudget;
  /**
   * The retry policy (`decideRetry` of `retry.ts` by default in the kit): what to
   * do with a batch after an outcome. `attempts` counts the send that produced it;
   * `firstAttemptAt` is the enqueue time of the batch's oldest event.
   */
  decide: (outcome: SendOutcome, state: AttemptState) => RetryDecision;
  logger: Logger;
  /** Default `Date.now`. */
  now?: () => number;
  /** Default the global `setTimeout`/`clearTimeout` (looked up per call, so fake timers apply). */
  timers?: Timers;
  /** Events per request, 1..500. Default 500. */
  batchSize?: number;
  /** Longest wait before a partial batch is sent. Default 1000 ms. */
  flushIntervalMs?: number;
  /** How long a claimed batch is held before another worker may take it. Default 60 s. */
  leaseMs?: number;
  /** How long a 401/403/404 pause lasts before one probe request. Default 5 min. */
  authPauseMs?: number;
  /** Idle re-check of the store (events written by another process, a requeue). Default 5 s. */
  pollIntervalMs?: number;
}

export interface PausedAccount {
  account: string;
  /** Epoch ms when sending resumes. */
  until: number;
  reason: string;
  status?: number;
}

export interface DispatcherState {
  lastDebugId: string | undefined;
  lastSendAt: number | undefined;
  batchesSent: number;
  paused: PausedAccount[];
}

export interface StopResult {
  /** `true` when nothing due was left unsent at the end. */
  drained: boolean;
}

export interface Dispatcher {
  /**
   * Recovers events left in flight by a dead process (expired leases), then
   * starts the schedule. Never rejects because of the store: a failing store is
   * retried with a capped backoff (see `health()`).
   */
  start(): Promise<void>;
  /** Tells the dispatcher an event was enqueued (flushes at once when a batch is full). */
  notify(pixelId: string, account: string): void;
  /** Sends everything due now (partial batches too), then reschedules. */
  flush(): Promise<void>;
  /** Stops scheduling, sends what is due within `timeoutMs` (default 10 s), leaves the rest stored. */
  stop(options?: { timeoutMs?: number }): Promise<StopResult>;
  /** Lifts a pause (after credentials or configuration were fixed). */
  resume(account: string): void;
  state(): DispatcherState;
  /** Whether the store works for delivery: the last failure and since when it fails. */
  health(): DeliveryHealth;
}

/** The global timers, unref'd so a pending flush never keeps a process alive. */
export const defaultTimers: Timers = {
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms) as unknown as { unref?: () => void };
    // A pending flush must not keep a CLI or test process alive on its own.
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
};

function withDefaults(options: DispatcherOptions) {
  return {
    now: options.now ?? Date.now,
    timers: options.timers ?? defaultTimers,
    batchSize: Math.min(
      MAX_CONVERSIONS_PER_REQUEST,
      Math.max(1, Math.floor(options.batchSize ?? BATCH_SIZE_DEFAULT)),
    ),
    flushIntervalMs: options.flushIntervalMs ?? FLUSH_INTERVAL_MS_DEFAULT,
    leaseMs: options.leaseMs ?? LEASE_MS_DEFAULT,
    authPauseMs: options.authPauseMs ?? AUTH_PAUSE_MS_DEFAULT,
    pollIntervalMs: options.pollIntervalMs ?? POLL_INTERVAL_MS_DEFAULT,
  };
}

/** `stop()`: sends what is due within `timeoutMs`, then reports what is left. */
async function drainWithin(
  timeoutMs: number,
  d: {
    store: OutboxStore;
    logger: Logger;
    timers: Timers;
    now: () => number;
    pauseOf: (account: string, at: number) => PausedAccount | undefined;
    running: () => Promise<void> | undefined;
    pass: () => Promise<{ sent: number }>;
  },
): Promise<StopResult> {
  const { store, logger, now } = d;
  const timedOut = await within(d.timers, timeoutMs, async (expired) => {
    try {
      await d.running();
      while (!expired()) {
        const { sent } = await d.pass();
        if (sent === 0) break;
      }
    } catch (error) {
      logger.log('error', 'dispatcher.error', { error: String(error) });
    }
  });
  let left: Awaited<ReturnType<OutboxStore['ready']>>;
  try {
    left = await store.ready(now());
  } catch (error) {
    logger.log('error', 'dispatcher.error', { error: String(error) });
    return { drained: false };
  }
  const drained =
    !timedOut && left.every((g) => d.pauseOf(g.account, now()) !== undefined || g.due === 0);
  logger.log(drained ? 'info' : 'warn', 'dispatcher.stopped', {
    drained,
    due: left.reduce((n, g) => n + g.due, 0),
  });
  return { drained };
}

/**
 * Creates a dispatcher over a store, an X client, a rate budget and a retry policy.
 *
 * A store that fails (a file locked by another process, a full disk) never
 * stops delivery for good: every pass is retried with a capped backoff until
 * the store works again, and `health()` says what is wrong meanwhile
 * (failure-tracker.ts).
 *
 * @example
 * ```ts
 * const dispatcher = createDispatcher({ store, client, budget, decide, logger });
 * await dispatcher.start();
 * // after each enqueue:
 * dispatcher.notify('o8z6j', 'o8z6j');
 * ```
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { store, client, budget, browserBudget, decide, logger } = options;
  const settings = withDefaults(options);
  const { now, timers, batchSize, flushIntervalMs, authPauseMs } = settings;
  const pauses = accountPauses(logger);
  const failures = createFailureTracker({ logger, now });
  /** Events enqueued since the last pass, per pixel/account: a full batch flushes at once. */
  const waiting = new Map<string, number>();
  const wakeTimer = earliestTimer(timers, now);
  const run = { running: undefined as Promise<void> | undefined, rerun: false };
  let started = false;
  let stopping = false;
  /** Whether events left in flight by a dead process were looked for since start. */
  let recovered = false;

  function schedule(delayMs: number): void {
    if (stopping || !started) return;
    wakeTimer.arm(delayMs, () => void pump());
  }
  /** A failed store operation: logged (rate-limited), retried after a capped backoff. */
  function failed(event: string, error: unknown): void {
    schedule(failures.failed(event, error));
  }

  const delivery = createOutboxDelivery({
    ...{ store, client, budget, browserBudget, decide, logger, now, authPauseMs },
    pauseOf: pauses.pauseOf,
    pause: pauses.set,
  });
  const groups = createGroupPasses({
    ...{ store, budget, browserBudget, logger, now, batchSize, flushIntervalMs },
    leaseMs: settings.leaseMs,
    pollIntervalMs: settings.pollIntervalMs,
    pauseOf: pauses.pauseOf,
    settle: delivery.settle,
    onError: (error) => failed('dispatcher.error', error),
    // After progress, look again at once (what arrived meanwhile, what is
    // left). Without progress (paused, no budget, nothing claimable), wake
    // when something can change, never in a tight loop.
    onGroupDone: (sent, ok) => {
      if (!ok) return;
      failures.succeeded();
      if (sent > 0) schedule(0);
      else void wakeLater(IDLE_FLOOR_MS);
    },
  });

  /** Start-up: events a dead process left in flight (expired leases) become pending again. */
  async function recover(): Promise<void> {
    const count = await store.recoverInFlight(now());
    recovered = true;
    if (count > 0) logger.log('warn', 'outbox.recovered', { events: count });
  }

  /** One pass over every due group (see dispatcher-groups.ts). */
  async function pass(
    draining: boolean,
    wait: boolean,
  ): Promise<{ sent: number; started: number }> {
    if (!recovered) await recover();
    waiting.clear();
    return groups.pass(draining, wait);
  }

  async function wakeLater(floorMs: number): Promise<void> {
    try {
      const wake = await groups.nextWake();
      if (wake !== undefined) schedule(Math.max(wake - now(), floorMs));
    } catch (error) {
      failed('dispatcher.error', error);
    }
  }

  async function pump(force = false): Promise<void> {
    if (run.running) {
      run.rerun = true;
      await run.running;
      return force ? pump(true) : undefined;
    }
    run.running = (async () => {
      let startedTasks = 0;
      do {
        run.rerun = false;
        try {
          startedTasks = (await pass(force, force)).started;
          if (startedTasks === 0) failures.succeeded();
        } catch (error) {
          // Retried after the backoff; no further scheduling from this pass.
          failed(recovered ? 'dispatcher.error' : 'dispatcher.start_failed', error);
          return;
        }
      } while (run.rerun && !stopping);
      // Running group tasks reschedule when they end; otherwise decide here.
      if (startedTasks === 0 || force) await wakeLater(0);
    })();
    try {
      await run.running;
    } finally {
      run.running = undefined;
    }
  }

  return {
    async start() {
      if (started) return;
      started = true;
      stopping = false;
      recovered = false;
      // A store that fails now (a file locked by another process) is retried by the passes.
      await pump();
    },
    notify(pixelId, account) {
      if (!started || stopping) return;
      const key = `${pixelId}\u0000${account}`;
      const count = (waiting.get(key) ?? 0) + 1;
      waiting.set(key, count);
      schedule(count >= batchSize ? 0 : flushIntervalMs);
    },
    flush: () => pump(true),
    async stop(stopOptions = {}) {
      stopping = true;
      wakeTimer.clear();
      const result = await drainWithin(stopOptions.timeoutMs ?? SHUTDOWN_TIMEOUT_MS_DEFAULT, {
        ...{ store, logger, timers, now },
        pauseOf: pauses.pauseOf,
        running: () => run.running,
        pass: () => pass(true, true),
      });
      started = false;
      return result;
    },
    resume(account) {
      if (pauses.lift(account)) schedule(0);
    },
    state() {
      return { ...delivery.counters, paused: pauses.list(now()) };
    },
    health: () => failures.health(),
  };
}
