/**
 * The outbox: where an accepted conversion waits until X has it.
 *
 * The route writes an event here (durably, for the SQLite store) before it
 * answers 2xx; the dispatcher claims, sends and settles events. Every method
 * returns a Promise so a networked store (e.g. Postgres shared by several app
 * instances) fits the same interface as the embedded ones. Times are epoch
 * milliseconds and are passed in by the caller, so the store holds no clock and
 * tests drive it with fake time.
 */
import { DEDUP_WINDOW_MIN_MS, DEDUP_WINDOW_MS_DEFAULT } from './defaults.ts';
import type { CapiConversion } from './x-types.ts';

export type OutboxState = 'pending' | 'in_flight' | 'delivered' | 'dead';

/** One stored conversion and its delivery bookkeeping. */
export interface OutboxEvent {
  id: number;
  pixelId: string;
  /** The ad account whose rate budget and pause state the event shares. */
  account: string;
  /** The built CAPI object: it holds only hashed email/phone, never raw PII. */
  conversion: CapiConversion;
  state: OutboxState;
  /** Failed send attempts so far (a 429 or an account pause does not count). */
  attempts: number;
  /** When the event may be sent (again). */
  nextAttemptAt: number;
  /** X's message or the failure reason of the last attempt; the dead-letter reason. */
  lastError?: string;
  createdAt: number;
  updatedAt: number;
}

export interface EnqueueInput {
  pixelId: string;
  account: string;
  conversion: CapiConversion;
  now: number;
  /**
   * Idempotency window: an event with the same (event_id, conversion_id)
   * enqueued less than this long ago is not stored again. Events without a
   * conversion_id are never deduplicated.
   */
  dedupWindowMs: number;
}

export type EnqueueResult = { id: number; duplicate: false } | { id: number; duplicate: true };

/** Pixel/account pairs with events due now. */
export interface ReadyGroup {
  pixelId: string;
  account: string;
  due: number;
  /** When the oldest due event was enqueued (epoch ms): how long the group has waited. */
  since: number;
}

export interface ClaimInput {
  pixelId: string;
  account: string;
  limit: number;
  now: number;
  /** How long the claim holds; an expired claim (dead process) is claimable again. */
  leaseMs: number;
}

export interface RescheduleInput {
  now: number;
  nextAttemptAt: number;
  error?: string;
  /** `true` when the attempt failed because of the send (backoff); `false` for pauses. */
  countAttempt: boolean;
}

export interface OutboxStats {
  pending: number;
  inFlight: number;
  delivered: number;
  dead: number;
  /** Age of the oldest event not yet delivered or dead; `null` when none. */
  oldestPendingAgeMs: number | null;
  /** Events not yet delivered or dead, per ad account. */
  depthByAccount: Record<string, number>;
  /** Age of each account's oldest event not yet delivered or dead (the accounts of `depthByAccount`). */
  oldestPendingAgeMsByAccount: Record<string, number>;
}

export interface OutboxStore {
  enqueue(input: EnqueueInput): Promise<EnqueueResult>;
  /** Pixel/account pairs with pending events due at `now` (or expired claims). */
  ready(now: number): Promise<ReadyGroup[]>;
  /** The earliest time an undelivered event becomes due; `undefined` when the outbox is empty. */
  nextDueAt(): Promise<number | undefined>;
  /** Marks up to `limit` due events of one pixel/account in flight, oldest first, and returns them. */
  claim(input: ClaimInput): Promise<OutboxEvent[]>;
  markDelivered(ids: readonly number[], now: number): Promise<void>;
  /** Puts events back to pending for a later attempt. */
  reschedule(ids: readonly number[], input: RescheduleInput): Promise<void>;
  /** Dead-letters events, each with its reason (X's message). */
  markDead(entries: readonly { id: number; reason: string }[], now: number): Promise<void>;
  /** Start-up: events left in flight by a dead process become pending again. Returns how many. */
  recoverInFlight(now: number): Promise<number>;
  stats(now: number): Promise<OutboxStats>;
  /** Dead letters, oldest first. */
  deadLetters(options?: { limit?: number; account?: string }): Promise<OutboxEvent[]>;
  /** Dead letters back to pending (all, or the given IDs), with attempts reset. Returns how many. */
  requeueDead(options: { now: number; ids?: readonly number[] }): Promise<number>;
  /** Deletes delivered events last updated before `now - olderThanMs`. Returns how many. */
  purgeDelivered(options: { now: number; olderThanMs: number }): Promise<number>;
  close(): Promise<void>;
}

/**
 * The deduplication key: `event_id` in its short form (X accepts `o87ne` and
 * `tw-<pixel_id>-o87ne` for the same event [REF12]) plus the conversion_id.
 */
export function dedupKey(conversion: CapiConversion): string | undefined {
  if (conversion.conversion_id === undefined || conversion.conversion_id === '') return undefined;
  return `${shortEventId(conversion.event_id)}\u0000${conversion.conversion_id}`;
}

/** `tw-o8z6j-o87ne` → `o87ne`; a short ID is returned as is. */
export function shortEventId(eventId: string): string {
  const match = /^tw-[^-]+-(.+)$/.exec(eventId);
  return match ? (match[1] as string) : eventId;
}

/** The shortest idempotency window, X's own (48 hours); defined in `defaults.ts`. */
export { DEDUP_WINDOW_MIN_MS };
/** @deprecated Use `DEDUP_WINDOW_MS_DEFAULT` (defaults.ts); kept for existing imports. */
export const DEDUP_WINDOW_DEFAULT_MS = DEDUP_WINDOW_MS_DEFAULT;
