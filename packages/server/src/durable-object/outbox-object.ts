/**
 * `TwclidOutboxObject`: the SQLite outbox (sqlite-store.ts) inside a Durable
 * Object, on the object's own SQLite storage (sql-storage-driver.ts). Every
 * isolate of the Worker reaches the same object through
 * `durableObjectOutbox()` (client.ts), so accepted events survive the
 * isolate, and X's budget and 429 pauses are shared by all of them.
 *
 * It extends workerd's `DurableObject`, without which RPC is refused. An
 * object runs one call at a time and its writes are durable once the call
 * returns, so a call that resolved has its rows stored: the Worker answers
 * 202 only after `enqueue()` resolved (docs/product.md).
 */
import { DurableObject } from 'cloudflare:workers';
import type { DeliveredCountsQuery } from '../delivered-counts.ts';
import type {
  ClaimInput,
  ClaimRef,
  ConversionOrigin,
  EnqueueInput,
  OutboxStore,
  RescheduleInput,
} from '../outbox.ts';
import { migrate } from '../sqlite-schema.ts';
import { driverOutbox } from '../sqlite-store.ts';
import type { RateBudget, RateLimitInfo } from '../x-types.ts';
import type { BudgetKey, OutboxRpc } from './rpc.ts';
import { toRpcError } from './rpc-errors.ts';
import { type DurableObjectStorageLike, durableObjectSqlDriver } from './sql-storage-driver.ts';

/** The part of a Durable Object's `ctx` the object uses. */
export interface DurableObjectStateLike {
  storage: DurableObjectStorageLike;
}

/** workerd's `DurableObject` base class, as far as this package needs it. */
export type DurableObjectBase = new (
  ctx: DurableObjectStateLike,
  env: unknown,
) => { readonly ctx: DurableObjectStateLike; readonly env: unknown };

const Base = DurableObject as unknown as DurableObjectBase;

/** Callers whose budgets the object keeps (each isolate's kit is one or two). */
const MAX_BUDGET_CALLERS = 256;

/**
 * The Durable Object class to export from the Worker and bind in wrangler's
 * `durable_objects` (created with `new_sqlite_classes`).
 */
export class TwclidOutboxObject extends Base implements OutboxRpc {
  #store: OutboxStore;
  #budgets = new Map<string, RateBudget>();
  /** The caller's clock for the budget call under way (one call runs at a time). */
  #clock = 0;

  constructor(ctx: DurableObjectStateLike, env: unknown) {
    super(ctx, env);
    const driver = durableObjectSqlDriver(ctx.storage);
    migrate(driver);
    this.#store = driverOutbox({ driver });
  }

  async #run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toRpcError(error);
    }
  }

  enqueue(input: EnqueueInput) {
    return this.#run(() => this.#store.enqueue(input));
  }
  ready(now: number) {
    return this.#run(() => this.#store.ready(now));
  }
  nextDueAt() {
    return this.#run(() => this.#store.nextDueAt());
  }
  claim(input: ClaimInput) {
    return this.#run(() => this.#store.claim(input));
  }
  markDelivered(refs: readonly ClaimRef[], now: number) {
    return this.#run(() => this.#store.markDelivered(refs, now));
  }
  reschedule(refs: readonly ClaimRef[], input: RescheduleInput) {
    return this.#run(() => this.#store.reschedule(refs, input));
  }
  markDead(entries: readonly (ClaimRef & { reason: string })[], now: number) {
    return this.#run(() => this.#store.markDead(entries, now));
  }
  recoverInFlight(now: number) {
    return this.#run(() => this.#store.recoverInFlight(now));
  }
  stats(now: number) {
    return this.#run(() => this.#store.stats(now));
  }
  countUndelivered(options: { origin?: ConversionOrigin } = {}) {
    return this.#run(async () => (await this.#store.countUndelivered?.(options)) ?? 0);
  }
  deadLetters(options: { limit?: number; account?: string } = {}) {
    return this.#run(() => this.#store.deadLetters(options));
  }
  requeueDead(options: { now: number; ids?: readonly number[] }) {
    return this.#run(() => this.#store.requeueDead(options));
  }
  purgeDelivered(options: { now: number; olderThanMs: number }) {
    return this.#run(() => this.#store.purgeDelivered(options));
  }
  deliveredCounts(query?: DeliveredCountsQuery) {
    return this.#run(async () => (await this.#store.deliveredCounts?.(query)) ?? []);
  }

  /** The caller's budget on the object's tables, made on its first call. */
  #budget(key: BudgetKey, at: number): RateBudget {
    this.#clock = at;
    let budget = this.#budgets.get(key.caller);
    if (budget) return budget;
    budget = (this.#store.rateBudget as NonNullable<OutboxStore['rateBudget']>)({
      limit: key.limit,
      windowMs: key.windowMs,
      ...(key.inFlightMs !== undefined ? { inFlightMs: key.inFlightMs } : {}),
      now: () => this.#clock,
    });
    if (this.#budgets.size >= MAX_BUDGET_CALLERS) {
      const oldest = this.#budgets.keys().next().value;
      if (oldest !== undefined) this.#budgets.delete(oldest);
    }
    this.#budgets.set(key.caller, budget);
    return budget;
  }

  budgetTake(key: BudgetKey, account: string, wanted: number, at: number) {
    return this.#run(() => this.#budget(key, at).take(account, wanted));
  }
  budgetNextFreeAt(key: BudgetKey, account: string, at: number) {
    return this.#run(() => this.#budget(key, at).nextFreeAt(account));
  }
  budgetRefund(key: BudgetKey, account: string, count: number, at: number) {
    return this.#run(() => this.#budget(key, at).refund(account, count));
  }
  budgetAnswered(key: BudgetKey, account: string, count: number, at: number) {
    return this.#run(async () => {
      await this.#budget(key, at).answered?.(account, count);
    });
  }
  budgetUpdate(key: BudgetKey, account: string, info: RateLimitInfo, at: number) {
    return this.#run(() => this.#budget(key, at).update(account, info));
  }
}
