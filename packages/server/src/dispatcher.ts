/**
 * The dispatcher: moves events from the outbox to X.
 *
 * Per pixel/account it fills batches of up to 500 (X's limit [REF12]), flushes
 * when a batch is full or `flushIntervalMs` after the first waiting event,
 * spends the account's rate budget, and hands the batch to the delivery engine
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
  /** Recovers events left in flight by a dead process, then starts the schedule. */
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

/** Paused accounts; a pause past its end is lifted (and logged) when next looked at. */
function accountPauses(logger: Logger) {
  const paused = new Map<string, PausedAccount>();
  const resumed = (account: string) => logger.log('info', 'account.resumed', { account });
  return {
    pauseOf(account: string, at: number): PausedAccount | undefined {
      const pause = paused.get(account);
      if (pause && pause.until <= at) {
        paused.delete(account);
        resumed(account);
        return undefined;
      }
      return pause;
    },
    set(pause: PausedAccount): void {
      paused.set(pause.account, pause);
    },
    /** Lifts a pause by hand; `false` when the account was not paused. */
    lift(account: string): boolean {
      if (!paused.delete(account)) return false;
      resumed(account);
      return true;
    },
    list(at: number): PausedAccount[] {
      return [...paused.values()].filter((p) => p.until > at).map((p) => ({ ...p }));
    },
  };
}

/**
 * One pending timer that only ever moves earlier: arming it for a time later
 * than the one it is set for changes nothing.
 */
function earliestTimer(timers: Timers, now: () => number) {
  let timer: unknown;
  let timerAt: number | undefined;
  return {
    arm(delayMs: number, fn: () => void): void {
      const at = now() + Math.max(0, delayMs);
      if (timer !== undefined && timerAt !== undefined && timerAt <= at) return;
      if (timer !== undefined) timers.clearTimeout(timer);
      timerAt = at;
      timer = timers.setTimeout(
        () => {
          timer = undefined;
          timerAt = undefined;
          fn();
        },
        Math.max(0, delayMs),
      );
    },
    clear(): void {
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      timerAt = undefined;
    },
  };
}

/**
 * Runs `work` for at most `timeoutMs`; `work` sees `expired()` turn true at the
 * deadline and is left running in the background. Returns whether it timed out.
 */
async function within(
  timers: Timers,
  timeoutMs: number,
  work: (expired: () => boolean) => Promise<void>,
): Promise<boolean> {
  let timedOut = false;
  let deadline: unknown;
  const expired = new Promise<void>((resolve) => {
    deadline = timers.setTimeout(() => {
      timedOut = true;
      resolve();
    }, timeoutMs);
  });
  await Promise.race([work(() => timedOut), expired]);
  timers.clearTimeout(deadline);
  return timedOut;
}

/**
 * Creates a dispatcher over a store, an X client, a rate budget and a retry policy.
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
  const { store, client, budget, decide, logger } = options;
  const { now, timers, batchSize, flushIntervalMs, leaseMs, authPauseMs, pollIntervalMs } =
    withDefaults(options);
  const pauses = accountPauses(logger);
  const pauseOf = pauses.pauseOf;
  /** Events enqueued since the last pass, per pixel/account: a full batch flushes at once. */
  const waiting = new Map<string, number>();
  const wakeTimer = earliestTimer(timers, now);
  let running: Promise<void> | undefined;
  let rerun = false;
  let started = false;
  let stopping = false;

  function schedule(delayMs: number): void {
    if (stopping || !started) return;
    wakeTimer.arm(delayMs, () => void pump());
  }

  const delivery = createOutboxDelivery({
    store,
    client,
    budget,
    decide,
    logger,
    now,
    authPauseMs,
    pauseOf,
    pause: pauses.set,
  });

  const groups = createGroupPasses({
    store,
    budget,
    logger,
    now,
    batchSize,
    flushIntervalMs,
    leaseMs,
    pollIntervalMs,
    pauseOf,
    settle: delivery.settle,
    // After progress, look again at once (what arrived meanwhile, what is
    // left). Without progress (paused, no budget, nothing claimable), wake
    // when something can change, never in a tight loop.
    onGroupDone: (sent) => {
      if (sent > 0) schedule(0);
      else void wakeLater(IDLE_FLOOR_MS);
    },
  });
  const nextWake = groups.nextWake;

  /** One pass over every due group (see dispatcher-groups.ts). */
  function pass(draining: boolean, wait: boolean): Promise<{ sent: number; started: number }> {
    waiting.clear();
    return groups.pass(draining, wait);
  }

  async function wakeLater(floorMs: number): Promise<void> {
    try {
      const wake = await nextWake();
      if (wake !== undefined) schedule(Math.max(wake - now(), floorMs));
    } catch (error) {
      logger.log('error', 'dispatcher.error', { error: String(error) });
      schedule(flushIntervalMs);
    }
  }

  async function pump(force = false): Promise<void> {
    if (running) {
      rerun = true;
      await running;
      if (!force) return;
      return pump(true);
    }
    running = (async () => {
      let started = 0;
      do {
        rerun = false;
        try {
          started = (await pass(force, force)).started;
        } catch (error) {
          logger.log('error', 'dispatcher.error', { error: String(error) });
        }
      } while (rerun && !stopping);
      // Running group tasks reschedule when they end; otherwise decide here.
      if (started === 0 || force) await wakeLater(0);
    })();
    try {
      await running;
    } finally {
      running = undefined;
    }
  }

  return {
    async start() {
      if (started) return;
      const recovered = await store.recoverInFlight(now());
      if (recovered > 0) logger.log('warn', 'outbox.recovered', { events: recovered });
      started = true;
      stopping = false;
      schedule(0);
    },

    notify(pixelId, account) {
      if (!started || stopping) return;
      const key = `${pixelId}\u0000${account}`;
      const count = (waiting.get(key) ?? 0) + 1;
      waiting.set(key, count);
      schedule(count >= batchSize ? 0 : flushIntervalMs);
    },

    async flush() {
      await pump(true);
    },

    async stop(stopOptions = {}) {
      const timeoutMs = stopOptions.timeoutMs ?? SHUTDOWN_TIMEOUT_MS_DEFAULT;
      stopping = true;
      wakeTimer.clear();
      const timedOut = await within(timers, timeoutMs, async (expired) => {
        try {
          if (running) await running;
          while (!expired()) {
            const { sent } = await pass(true, true);
            if (sent === 0) break;
          }
        } catch (error) {
          logger.log('error', 'dispatcher.error', { error: String(error) });
        }
      });
      const left = await store.ready(now());
      const drained =
        !timedOut && left.every((g) => pauseOf(g.account, now()) !== undefined || g.due === 0);
      logger.log(drained ? 'info' : 'warn', 'dispatcher.stopped', {
        drained,
        due: left.reduce((n, g) => n + g.due, 0),
      });
      started = false;
      return { drained };
    },

    resume(account) {
      if (pauses.lift(account)) schedule(0);
    },

    state() {
      return { ...delivery.counters, paused: pauses.list(now()) };
    },
  };
}
