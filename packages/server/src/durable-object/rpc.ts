/**
 * What the Worker's store (client.ts) calls on the outbox object
 * (outbox-object.ts) over Durable Object RPC. Arguments and results are plain
 * data; times are the caller's (the kit's clock), as with every `OutboxStore`.
 */
import type { DeliveredCount, DeliveredCountsQuery } from '../delivered-counts.ts';
import type {
  ClaimInput,
  ClaimRef,
  ConversionOrigin,
  EnqueueInput,
  EnqueueResult,
  OutboxEvent,
  OutboxStats,
  ReadyGroup,
  RescheduleInput,
  SettleResult,
} from '../outbox.ts';
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

export interface OutboxRpc {
  enqueue(input: EnqueueInput): Promise<EnqueueResult>;
  ready(now: number): Promise<ReadyGroup[]>;
  nextDueAt(): Promise<number | undefined>;
  claim(input: ClaimInput): Promise<OutboxEvent[]>;
  markDelivered(refs: readonly ClaimRef[], now: number): Promise<SettleResult>;
  reschedule(refs: readonly ClaimRef[], input: RescheduleInput): Promise<SettleResult>;
  markDead(entries: readonly (ClaimRef & { reason: string })[], now: number): Promise<SettleResult>;
  recoverInFlight(now: number): Promise<number>;
  stats(now: number): Promise<OutboxStats>;
  countUndelivered(options?: { origin?: ConversionOrigin }): Promise<number>;
  deadLetters(options?: { limit?: number; account?: string }): Promise<OutboxEvent[]>;
  requeueDead(options: { now: number; ids?: readonly number[] }): Promise<number>;
  purgeDelivered(options: { now: number; olderThanMs: number }): Promise<number>;
  deliveredCounts(query?: DeliveredCountsQuery): Promise<DeliveredCount[]>;
  budgetTake(key: BudgetKey, account: string, wanted: number, at: number): Promise<number>;
  budgetNextFreeAt(key: BudgetKey, account: string, at: number): Promise<number>;
  budgetRefund(key: BudgetKey, account: string, count: number, at: number): Promise<void>;
  budgetAnswered(key: BudgetKey, account: string, count: number, at: number): Promise<void>;
  budgetUpdate(key: BudgetKey, account: string, info: RateLimitInfo, at: number): Promise<void>;
}
