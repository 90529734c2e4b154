/**
 * The dispatcher behind the kit: the X client (the given one, or one made from
 * `auth`), the account's rate budget and its browser share, and the retry policy.
 */
import { createXClient } from '../client.ts';
import { createDispatcher, type Dispatcher } from '../dispatcher.ts';
import { browserShareLimit } from '../dispatcher-share.ts';
import type { OutboxStore } from '../outbox.ts';
import { createRateBudget } from '../rate-budget.ts';
import { decideRetry } from '../retry.ts';
import { X_BUDGET_DEFAULT, X_BUDGET_WINDOW_MS_DEFAULT } from '../x-limits.ts';
import type { RateBudget, XAuth } from '../x-types.ts';
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
 * The browser share of X's budget: `share` of its limit over the same window
 * (docs/product.md "Safety (the server)"), in the store when it keeps X's
 * budget (shared by its processes as that one is), else in this process. A
 * budget that does not tell its limits is taken as X's default.
 */
function browserShareBudget(
  budget: RateBudget,
  share: number,
  store: OutboxStore,
  now: () => number,
): RateBudget {
  const { limit, windowMs } = budget.limits ?? {
    limit: X_BUDGET_DEFAULT,
    windowMs: X_BUDGET_WINDOW_MS_DEFAULT,
  };
  const options = { now, limit: browserShareLimit(limit, share), windowMs };
  return store.rateBudget?.(options) ?? createRateBudget(options);
}

/**
 * Creates the kit's dispatcher. Defaults: `createXClient({ auth, baseUrl, version })`,
 * the store's shared budget if it has one (`store.rateBudget()`), else
 * `createRateBudget()`, either sized by `xBudget` (60,000 events / 15 min), its browser share
 * (`browserShare` of it), `decideRetry` with `retry`.
 */
export function createKitDispatcher(
  options: DeliveryOptions,
  resolved: Pick<ResolvedKitOptions, 'store' | 'logger' | 'now' | 'browserShare' | 'xBudget'>,
): Dispatcher {
  const { store, logger, now } = resolved;
  // A store that keeps X's budget (the SQLite file, shared by its processes) keeps it for all,
  // sized as `xBudget` says (a merchant lowers it when other tools send for the account).
  const sized = { now, ...resolved.xBudget };
  const budget = options.budget ?? store.rateBudget?.(sized) ?? createRateBudget(sized);
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
    budget,
    // With a share of 1, browser events may use the whole budget: no second budget needed.
    ...(resolved.browserShare < 1
      ? { browserBudget: browserShareBudget(budget, resolved.browserShare, store, now) }
      : {}),
    decide: options.decide ?? ((outcome, state) => decideRetry(outcome, state, options.retry)),
    logger,
    now,
    ...(options.timers ? { timers: options.timers } : {}),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.flushIntervalMs !== undefined ? { flushIntervalMs: options.flushIntervalMs } : {}),
    ...(options.authPauseMs !== undefined ? { authPauseMs: options.authPauseMs } : {}),
  });
}
