/**
 * The kit's life: `start()` recovers in-flight events and starts delivery,
 * delivered events are purged hourly past their retention, and `shutdown()`
 * stops intake, drains the dispatcher and closes the store.
 */
import { PURGE_INTERVAL_MS_DEFAULT } from '../defaults.ts';
import type { Dispatcher, StopResult, Timers } from '../dispatcher.ts';
import type { OutboxStore } from '../outbox.ts';
import type { Logger } from '../x-types.ts';

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
}

/** Creates the kit's lifecycle. */
export function createLifecycle(options: LifecycleOptions): Lifecycle {
  const { dispatcher, store, timers, now, logger, retainDeliveredMs } = options;
  let stopping = false;
  let startPromise: Promise<void> | undefined;
  let purgeTimer: unknown;

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
