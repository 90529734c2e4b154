/**
 * The dispatcher behind the kit: the X client (the given one, or one made from
 * `auth`), the account's rate budget and the retry policy.
 */
import { createXClient } from '../client.ts';
import { createDispatcher, type Dispatcher } from '../dispatcher.ts';
import { createRateBudget } from '../rate-budget.ts';
import { decideRetry } from '../retry.ts';
import type { XAuth } from '../x-types.ts';
import type { ResolvedKitOptions } from './options.ts';
import type { TwclidKitOptions } from './types.ts';

/** The delivery settings of `TwclidKitOptions`; everything else the kit resolves itself. */
export type DeliveryOptions = Pick<
  TwclidKitOptions,
  | 'auth'
  | 'client'
  | 'baseUrl'
  | 'version'
  | 'budget'
  | 'retry'
  | 'decide'
  | 'timers'
  | 'batchSize'
  | 'flushIntervalMs'
  | 'authPauseMs'
>;

/**
 * Creates the kit's dispatcher. Defaults: `createXClient({ auth, baseUrl, version })`,
 * the store's shared budget if it has one (`store.rateBudget()`), else
 * `createRateBudget()` (60,000 events / 15 min), `decideRetry` with `retry`.
 */
export function createKitDispatcher(
  options: DeliveryOptions,
  resolved: Pick<ResolvedKitOptions, 'store' | 'logger' | 'now'>,
): Dispatcher {
  const { store, logger, now } = resolved;
  const client =
    options.client ??
    createXClient({
      // resolveKitOptions() has checked that `auth` is given when `client` is not.
      auth: options.auth as XAuth,
      ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
      ...(options.version !== undefined ? { version: options.version } : {}),
      now,
    });
  return createDispatcher({
    store,
    client,
    // A store that keeps X's budget (the SQLite file, shared by its processes) keeps it for all.
    budget: options.budget ?? store.rateBudget?.({ now }) ?? createRateBudget({ now }),
    decide: options.decide ?? ((outcome, state) => decideRetry(outcome, state, options.retry)),
    logger,
    now,
    ...(options.timers ? { timers: options.timers } : {}),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.flushIntervalMs !== undefined ? { flushIntervalMs: options.flushIntervalMs } : {}),
    ...(options.authPauseMs !== undefined ? { authPauseMs: options.authPauseMs } : {}),
  });
}
