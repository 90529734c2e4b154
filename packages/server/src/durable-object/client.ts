/**
 * `durableObjectOutbox()`: the `OutboxStore` a Worker hands the kit. Each call
 * goes over RPC to one named `TwclidOutboxObject` (outbox-object.ts), so every
 * isolate of the Worker shares one outbox and one X budget. A stub is taken
 * per call (the object's ID only once): a stub belongs to the request that
 * made it, and the kit lives longer than one request.
 */

import { ConfigError } from '../errors.ts';
import type { OutboxStore } from '../outbox.ts';
import { budgetSettings, type RateBudgetOptions } from '../rate-budget.ts';
import type { RateBudget } from '../x-types.ts';
import type { BudgetKey, OutboxRpc } from './rpc.ts';
import { fromRpcError } from './rpc-errors.ts';

/** The part of a Durable Object namespace binding (`env.OUTBOX`) the store uses. */
export interface DurableObjectNamespaceLike<Id = unknown> {
  idFromName(name: string): Id;
  get(id: Id): object;
}

export interface DurableObjectOutboxOptions {
  /** The object's name: one name, one outbox. Default `'outbox'`. */
  name?: string;
}

/** The Durable Object store: an `OutboxStore` whose `rateBudget()` is always there. */
export type DurableObjectOutbox = OutboxStore & {
  rateBudget(options?: RateBudgetOptions): RateBudget;
};

/**
 * The outbox kept in the Durable Object named `name` of `namespace` (a binding
 * to `TwclidOutboxObject` with SQLite storage; see the server README's
 * Cloudflare Workers section).
 *
 * @example
 * const kit = twclidKit({ ..., store: durableObjectOutbox(env.OUTBOX) });
 */
export function durableObjectOutbox<Id>(
  namespace: DurableObjectNamespaceLike<Id>,
  options: DurableObjectOutboxOptions = {},
): DurableObjectOutbox {
  if (
    typeof namespace !== 'object' ||
    namespace === null ||
    typeof namespace.idFromName !== 'function' ||
    typeof namespace.get !== 'function'
  ) {
    throw new ConfigError(
      'namespace',
      'durableObjectOutbox() needs a Durable Object namespace binding (env.OUTBOX with durable_objects in wrangler.jsonc)',
    );
  }
  const name = options.name ?? 'outbox';
  if (typeof name !== 'string' || name === '') {
    throw new ConfigError('name', 'durableObjectOutbox() needs a non-empty object name');
  }
  let id: { value: Id } | undefined;
  const stub = (): OutboxRpc => {
    id ??= { value: namespace.idFromName(name) };
    return namespace.get(id.value) as OutboxRpc;
  };
  const call = async <T>(fn: (object: OutboxRpc) => Promise<T>): Promise<T> => {
    try {
      return await fn(stub());
    } catch (error) {
      throw fromRpcError(error);
    }
  };

  return {
    enqueue: (input) => call((o) => o.enqueue(input)),
    ready: (now) => call((o) => o.ready(now)),
    nextDueAt: () => call((o) => o.nextDueAt()),
    claim: (input) => call((o) => o.claim(input)),
    markDelivered: (refs, now) => call((o) => o.markDelivered(refs, now)),
    reschedule: (refs, input) => call((o) => o.reschedule(refs, input)),
    markDead: (entries, now) => call((o) => o.markDead(entries, now)),
    recoverInFlight: (now) => call((o) => o.recoverInFlight(now)),
    stats: (now) => call((o) => o.stats(now)),
    countUndelivered: (o2 = {}) => call((o) => o.countUndelivered(o2)),
    deadLetters: (o2 = {}) => call((o) => o.deadLetters(o2)),
    requeueDead: (o2) => call((o) => o.requeueDead(o2)),
    purgeDelivered: (o2) => call((o) => o.purgeDelivered(o2)),
    deliveredCounts: (query) => call((o) => o.deliveredCounts(query)),
    rateBudget(budgetOptions = {}) {
      const { limit, windowMs, now } = budgetSettings(budgetOptions);
      const key: BudgetKey = {
        caller: crypto.randomUUID(),
        limit,
        windowMs,
        ...(budgetOptions.inFlightMs !== undefined ? { inFlightMs: budgetOptions.inFlightMs } : {}),
      };
      return {
        limits: { limit, windowMs },
        take: (account, wanted) => call((o) => o.budgetTake(key, account, wanted, now())),
        nextFreeAt: (account) => call((o) => o.budgetNextFreeAt(key, account, now())),
        refund: (account, count) => call((o) => o.budgetRefund(key, account, count, now())),
        answered: (account, count) => call((o) => o.budgetAnswered(key, account, count, now())),
        update: (account, info) => call((o) => o.budgetUpdate(key, account, info, now())),
      };
    },
    // The object outlives this Worker-side handle: nothing to close.
    async close() {},
  };
}
