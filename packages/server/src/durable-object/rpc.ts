/**
 * What the Worker's store (client.ts) calls on the outbox object
 * (outbox-object.ts) over Durable Object RPC. Arguments and results are plain
 * data; times are the caller's (the kit's clock), as with every `OutboxStore`.
 */
import type { OutboxStore } from '../outbox.ts';
import type { RateLimitInfo } from '../x-types.ts';

/**
 * One Worker-side budget: its settings, and a random ID so the object keeps
 * each caller's own spends apart (a refund gives back the caller's own newest
 * spends, as a process's does on a shared SQLite file).
 */
export interface BudgetKey {
  caller: string;
  limit: number;
  windowMs: number;
  inFlightMs?: number;
}

/** Every method of an `OutboxStore` (the optional ones too) but `rateBudget` and `close`. */
type StoreMethods = Omit<Required<OutboxStore>, 'rateBudget' | 'close'>;

/** The store's methods as they are, and each budget method with its caller and clock. */
export interface OutboxRpc extends StoreMethods {
  budgetTake(key: BudgetKey, account: string, wanted: number, at: number): Promise<number>;
  budgetNextFreeAt(key: BudgetKey, account: string, at: number): Promise<number>;
  budgetRefund(key: BudgetKey, account: string, count: number, at: number): Promise<void>;
  budgetAnswered(key: BudgetKey, account: string, count: number, at: number): Promise<void>;
  budgetUpdate(key: BudgetKey, account: string, info: RateLimitInfo, at: number): Promise<void>;
}
