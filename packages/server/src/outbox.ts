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
import type { DeliveredCount, DeliveredCountsQuery } from './delivered-counts.ts';
import type { RateBudgetOptions } from './rate-budget.ts';
import type { CapiConversion, RateBudget } from './x-types.ts';

export type OutboxState = 'pending' | 'in_flight' | 'delivered' | 'dead';

/**
 * Who vouched for a conversion (docs/product.md "Safety (the server)"):
 * `'server'` for the merchant's own server (`kit.form()`, `sendConversion()`,
 * the CLI's upload), `'browser'` for the public events endpoint. A server copy
 * outranks a browser copy with the same key, and is claimed first.
 */
export type ConversionOrigin = 'server' | 'browser';

/** One stored conversion and its delivery bookkeeping. */
export interface OutboxEvent {
  id: number;
  pixelId: string;
  /** The ad account whose rate budget and pause state the event shares. */
  account: string;
  /**
   * The built CAPI object: it holds only hashed email/phone, never raw PII.
   * Once delivered, the stored copy keeps no `identifiers` (see `markDelivered`).
   */
  conversion: CapiConversion;
  /** Who vouched for it; a browser row taken over by a server copy becomes `'server'`. */
  origin: ConversionOrigin;
  state: OutboxState;
  /** Failed send attempts so far (a 429 or an account pause does not count). */
  attempts: number;
  /** When the event may be sent (again). */
  nextAttemptAt: number;
  /** X's message or the failure reason of the last attempt; the dead-letter reason. */
  lastError?: string;
  createdAt: number;
  updatedAt: number;
  /**
   * Set on events returned by `claim()`: the claim's random token, which
   * `markDelivered`, `reschedule` and `markDead` must present, and when its
   * lease ends.
   */
  claim?: ClaimTicket;
}

/** What a claim hands its holder: without the current token, nothing it settles counts. */
export interface ClaimTicket {
  token: string;
  /** Epoch ms when the lease ends; after that, another worker may take the event. */
  leaseUntil: number;
}

/** An event to settle, with the token of the claim that holds it. */
export interface ClaimRef {
  id: number;
  token: string;
}

/**
 * What a settle call did. An event whose claim is no longer current (its lease
 * expired and it was recovered or claimed again, or it was settled already) is
 * left untouched and listed in `stale`: its current holder settles it.
 */
export interface SettleResult {
  settled: number;
  stale: number[];
}

export interface EnqueueInput {
  pixelId: string;
  account: string;
  conversion: CapiConversion;
  now: number;
  /**
   * Idempotency window: an event with the same (event_id, conversion_id)
   * enqueued less than this long ago is not stored again. Events without a
   * conversion_id are never deduplicated. Precedence by origin:
   *
   * - a server copy is a duplicate only of a server row with its key; a
   *   pending browser row with its key is taken over in place (its conversion
   *   becomes this one, its origin `'server'`; same ID, `duplicate: false`);
   *   a browser row in flight or delivered already is left alone and the
   *   server copy stored as its own row (X deduplicates the two by
   *   conversion_id, docs/x-api.md §5). A server copy is never dropped because
   *   of a browser row.
   * - a browser copy is a duplicate of any row with its key.
   */
  dedupWindowMs: number;
  /** Who vouched for the conversion. Default `'server'`. */
  origin?: ConversionOrigin;
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
  /**
   * At most this many browser rows in this claim (their share of X's budget,
   * computed by the dispatcher). Default: no limit besides `limit`.
   */
  browserLimit?: number;
  now: number;
  /** How long the claim holds; an expired claim (dead process) is claimable again. */
  leaseMs: number;
}

/** The refs of claimed events, for the settle calls (an event without a claim gets no valid ref). */
export function claimRefs(events: readonly OutboxEvent[]): ClaimRef[] {
  return events.map((e) => ({ id: e.id, token: e.claim?.token ?? '' }));
}

/** A fresh claim token: 128 random bits (Web Crypto, so edge runtimes have it too). */
export function newClaimToken(): string {
  return crypto.randomUUID();
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
  /**
   * Marks up to `limit` due events of one pixel/account in flight, server
   * rows before browser rows (at most `browserLimit` of those), each oldest
   * first, under one new claim (a random token and a lease until
   * `now + leaseMs`), and returns them with it (`event.claim`). Two workers
   * never hold the same event: a claimed event is due again only once its
   * lease expired.
   */
  claim(input: ClaimInput): Promise<OutboxEvent[]>;
  /**
   * Settles claimed events as delivered; only those whose claim is current (see
   * `SettleResult`). The stored conversion loses its `identifiers` (click ID,
   * hashed email and phone, IP, user agent): what deduplication and the
   * delivered counts need stays (docs/product.md "Safety (the server)").
   */
  markDelivered(refs: readonly ClaimRef[], now: number): Promise<SettleResult>;
  /** Puts claimed events back to pending for a later attempt (current claims only). */
  reschedule(refs: readonly ClaimRef[], input: RescheduleInput): Promise<SettleResult>;
  /** Dead-letters claimed events, each with its reason (X's message; current claims only). */
  markDead(entries: readonly (ClaimRef & { reason: string })[], now: number): Promise<SettleResult>;
  /**
   * Events whose lease expired (their holder died) become pending again, so
   * they are not counted as in flight. A live claim, e.g. another process's on
   * a shared file, is never touched. Returns how many.
   */
  recoverInFlight(now: number): Promise<number>;
  stats(now: number): Promise<OutboxStats>;
  /**
   * Optional (every built-in store has it): how many events are pending or in
   * flight, of every origin or of one. The kit bounds the browser backlog with it.
   */
  countUndelivered?(options?: { origin?: ConversionOrigin }): Promise<number>;
  /** Dead letters, oldest first. */
  deadLetters(options?: { limit?: number; account?: string }): Promise<OutboxEvent[]>;
  /** Dead letters back to pending (all, or the given IDs), with attempts reset. Returns how many. */
  requeueDead(options: { now: number; ids?: readonly number[] }): Promise<number>;
  /** Deletes delivered events last updated before `now - olderThanMs`. Returns how many. */
  purgeDelivered(options: { now: number; olderThanMs: number }): Promise<number>;
  /**
   * Optional: X's budget kept in the store, shared by every process using it
   * (the SQLite file, a database), pauses until X's reset included. The kit
   * uses it when no `budget` is given; without it, each process budgets alone.
   */
  rateBudget?(options?: RateBudgetOptions): RateBudget;
  /**
   * Optional: how many conversions X acknowledged, per pixel, event tag and
   * hour of conversion time, kept after `purgeDelivered` (delivered-counts.ts),
   * for `twclid-kit report` (docs/x-api.md §9). Memory and SQLite keep them.
   */
  deliveredCounts?(query?: DeliveredCountsQuery): Promise<DeliveredCount[]>;
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

/** What a delivered row keeps of its conversion: everything but the identifiers. */
export function withoutIdentifiers(conversion: CapiConversion): CapiConversion {
  const { identifiers: _identifiers, ...kept } = conversion;
  // Delivered rows are never handed out again (claim and deadLetters skip them).
  return kept as CapiConversion;
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
