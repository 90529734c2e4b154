/**
 * How the dispatcher lives through a store that keeps failing (a file locked
 * by another process, a full disk, a database that is down): it retries with
 * a capped backoff until the store works again, reports the failure for
 * `/health`, and logs it without flooding the log (the first failure at once,
 * then at most one line per `logIntervalMs` with how many were left out, and
 * one line when it recovers). docs/product.md: delivery never stops silently.
 */
import { backoffDelay } from './backoff.ts';
import type { Logger } from './x-types.ts';

/** Longest wait between two retries of a failing store. */
export const STORE_RETRY_MAX_MS = 30_000;
/** Shortest gap between two log lines of one repeating failure. */
export const FAILURE_LOG_INTERVAL_MS = 60_000;

/** The dispatcher's view of its store, for `/health`. */
export interface DeliveryHealth {
  /** `false` from a failure until the next operation that succeeds. */
  ok: boolean;
  /** The last failure's message (no PII: store errors name the store, not the rows). */
  lastError: string | undefined;
  lastErrorAt: number | undefined;
  /** When the current run of failures began; `undefined` while ok. */
  failingSince: number | undefined;
  /** Failures in a row. */
  failures: number;
}

export interface FailureTracker {
  /** Records a failure and logs it (rate-limited); returns how long to wait before retrying. */
  failed(event: string, error: unknown): number;
  /** Records a success; logs the recovery when failures came before it. */
  succeeded(): void;
  health(): DeliveryHealth;
}

export interface FailureTrackerOptions {
  logger: Logger;
  now: () => number;
  logIntervalMs?: number;
  retryMaxMs?: number;
  random?: () => number;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function createFailureTracker(options: FailureTrackerOptions): FailureTracker {
  const { logger, now } = options;
  const logIntervalMs = options.logIntervalMs ?? FAILURE_LOG_INTERVAL_MS;
  const retryMaxMs = options.retryMaxMs ?? STORE_RETRY_MAX_MS;
  const state: DeliveryHealth = {
    ok: true,
    lastError: undefined,
    lastErrorAt: undefined,
    failingSince: undefined,
    failures: 0,
  };
  /** Per event name: when it was last logged, and how many were left out since. */
  const logged = new Map<string, { at: number; suppressed: number }>();

  return {
    failed(event, error) {
      const at = now();
      const message = messageOf(error);
      state.ok = false;
      state.failures++;
      state.failingSince ??= at;
      state.lastError = message;
      state.lastErrorAt = at;
      const last = logged.get(event);
      if (!last || at - last.at >= logIntervalMs) {
        logger.log('error', event, {
          error: message,
          failures: state.failures,
          ...(last && last.suppressed > 0 ? { suppressed: last.suppressed } : {}),
        });
        logged.set(event, { at, suppressed: 0 });
      } else last.suppressed++;
      return backoffDelay(state.failures, {
        baseMs: 500,
        maxMs: retryMaxMs,
        ...(options.random ? { random: options.random } : {}),
      });
    },
    succeeded() {
      if (state.ok) return;
      logger.log('info', 'dispatcher.recovered', {
        failures: state.failures,
        failingForMs: now() - (state.failingSince ?? now()),
      });
      state.ok = true;
      state.failures = 0;
      state.failingSince = undefined;
      logged.clear();
    },
    health: () => ({ ...state }),
  };
}
