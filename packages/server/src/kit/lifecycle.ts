/**
 * The kit's life: `start()` recovers in-flight events and starts delivery,
 * delivered events are purged hourly past their retention, `health()` says
 * whether the kit can store and deliver, and `shutdown()` stops intake, drains
 * the dispatcher and closes the store.
 */
import { PURGE_INTERVAL_MS_DEFAULT } from '../defaults.ts';
import type { Dispatcher, StopResult, Timers } from '../dispatcher.ts';
import { isStoreUnavailableError, StoreUnavailableError } from '../errors.ts';
import type { DeliveryHealth } from '../failure-tracker.ts';
import type { OutboxStore } from '../outbox.ts';
import type { Logger } from '../x-types.ts';
import type { KitStats } from './types.ts';

/** How long an intake that could not store keeps `/health` at 503 after its last failure. */
export const STORE_FAILURE_HEALTH_MS = 30_000;

/** `GET /health`'s answer: the stats, and whether the kit can store and deliver. */
export interface HealthReport {
  httpStatus: 200 | 503;
  body: Record<string, unknown> & { status: string };
}

export interface LifecycleOptions {
  dispatcher: Dispatcher;
  store: OutboxStore;
  timers: Timers;
  now: () => number;
  logger: Logger;
  /** Delivered events older than this are deleted; `false` keeps them. */
  retainDeliveredMs: number | false;
}

export interface Lifecycle {
  /** `true` once `shutdown()` was called: intake answers 503. */
  isStopping(): boolean;
  /** Starts delivery and the hourly purge; later calls return the first call's promise. */
  start(): Promise<void>;
  /** Stops intake and the purge, flushes within `timeoutMs` (default 10 s), closes the store. */
  shutdown(options?: { timeoutMs?: number }): Promise<StopResult>;
  /** An intake could not store an event (the route answered 503). */
  storeFailed(error: Error): void;
  /**
   * 503 `unavailable` when the store cannot be read, an intake could not store
   * within the last 30 s, or delivery keeps failing; 503 `stopping` while
   * shutting down; else 200 with the stats.
   */
  health(stats: () => Promise<KitStats>): Promise<HealthReport>;
}

/** Creates the kit's lifecycle. */
export function createLifecycle(options: LifecycleOptions): Lifecycle {
  const { dispatcher, store, timers, now, logger, retainDeliveredMs } = options;
  let stopping = false;
  let startPromise: Promise<void> | undefined;
  let purgeTimer: unknown;
  let storeFailure: { at: number; error: string } | undefined;

  function deliveryOf(delivery: DeliveryHealth) {
    return {
      canDeliver: delivery.ok,
      lastError: delivery.lastError ?? storeFailure?.error,
      lastErrorAt: delivery.lastErrorAt ?? storeFailure?.at,
      failingSince: delivery.failingSince,
    };
  }

  /** Deletes delivered events older than the retention, then again in an hour. */
  async function purgeDelivered(): Promise<void> {
    if (retainDeliveredMs === false || stopping) return;
    try {
      const purged = await store.purgeDelivered({ now: now(), olderThanMs: retainDeliveredMs });
      if (purged > 0) logger.log('info', 'outbox.purged', { events: purged });
    } catch (error) {
      logger.log('error', 'outbox.purge_failed', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
    if (!stopping)
      purgeTimer = timers.setTimeout(() => void purgeDelivered(), PURGE_INTERVAL_MS_DEFAULT);
  }

  return {
    isStopping: () => stopping,
    start() {
      startPromise ??= dispatcher.start().then(() => {
        void purgeDelivered();
      });
      return startPromise;
    },
    storeFailed(error) {
      storeFailure = { at: now(), error: error.message };
    },
    async health(statsOf) {
      const delivery = deliveryOf(dispatcher.health());
      let stats: KitStats;
      try {
        stats = await statsOf();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return {
          httpStatus: 503,
          body: { status: 'unavailable', canStore: false, ...delivery, lastError: message },
        };
      }
      const canStore = !(storeFailure && now() - storeFailure.at < STORE_FAILURE_HEALTH_MS);
      const status =
        stats.status === 'stopping'
          ? 'stopping'
          : !canStore || !delivery.canDeliver
            ? 'unavailable'
            : stats.status;
      const httpStatus = status === 'stopping' || status === 'unavailable' ? 503 : 200;
      return { httpStatus, body: { ...stats, status, canStore, ...delivery } };
    },
    async shutdown(shutdownOptions = {}) {
      stopping = true;
      if (purgeTimer !== undefined) timers.clearTimeout(purgeTimer);
      if (startPromise) await startPromise.catch(() => {});
      const result = await dispatcher.stop(shutdownOptions);
      await store.close();
      return result;
    },
  };
}

/**
 * The store as intake sees it: any failure to enqueue is a
 * `StoreUnavailableError` (503 with `Retry-After`, never 500 and never 2xx),
 * whichever store threw it. Every other method is the store's own.
 */
export function intakeStore(store: OutboxStore): OutboxStore {
  const wrapped: OutboxStore = Object.create(store);
  wrapped.enqueue = async (input) => {
    try {
      return await store.enqueue(input);
    } catch (error) {
      if (isStoreUnavailableError(error)) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new StoreUnavailableError(`The outbox could not store the event: ${message}`, {
        cause: error,
      });
    }
  };
  return wrapped;
}
