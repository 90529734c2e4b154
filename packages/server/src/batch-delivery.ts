/**
 * The delivery engine: one batch of conversions, sent to X until every part of
 * it is settled. Both the dispatcher (events from the outbox) and
 * `twclid-kit upload` (rows from a file) run their batches through it, so the
 * decisions of docs/x-api.md §2 live here once:
 *
 * | X's answer (through the retry policy) | step |
 * |---|---|
 * | 2xx | `delivered` |
 * | 400 on several conversions | `split`: halve and send each half, until the bad ones stand alone (all-or-nothing requests [WC]) |
 * | 400 on one conversion | `reject`: dead-letter it with X's message |
 * | 408, 423, 5xx, no answer | `retry` after the policy's backoff |
 * | 429 | `wait` for X's reset |
 * | 401, 403, 404 | `pause` the account: a human must fix credentials or IDs |
 * | the policy's budget is spent | `give-up` |
 *
 * What a step does to the items (a store write, a line in a reject file),
 * whether to wait in process or reschedule, and when to stop is the caller's:
 * it passes hooks. The engine holds no clock and never sleeps; `stepFor` is pure.
 */

import { describeOutcome } from './outcome-text.ts';
import type { AttemptState } from './retry.ts';
import type { CapiConversion, RateBudget, RetryDecision, SendOutcome, XClient } from './x-types.ts';

/** What to do with a batch after one answer from X. */
export type DeliveryStep =
  | { step: 'delivered' }
  | { step: 'split' }
  | { step: 'reject'; reason: string }
  | { step: 'retry'; delayMs: number }
  | { step: 'wait'; untilMs: number; reason: string }
  | { step: 'pause'; reason: string }
  | { step: 'give-up'; reason: string };

/**
 * The step for an outcome and the retry policy's decision on it, for a batch of
 * `size` conversions. Pure.
 */
export function stepFor(outcome: SendOutcome, decision: RetryDecision, size: number): DeliveryStep {
  if (outcome.ok) return { step: 'delivered' };
  switch (decision.action) {
    case 'done':
      return { step: 'delivered' };
    case 'retry':
      return { step: 'retry', delayMs: decision.delayMs };
    case 'split':
      return size > 1 ? { step: 'split' } : { step: 'reject', reason: describeOutcome(outcome) };
    case 'pause':
      return decision.untilMs !== undefined
        ? { step: 'wait', untilMs: decision.untilMs, reason: decision.reason }
        : { step: 'pause', reason: decision.reason };
    case 'dead':
      // A 400 is never resent unchanged, nor thrown away with good conversions
      // in it (docs/x-api.md §2): several are split, a lone one is rejected.
      if (outcome.kind === 'invalid') {
        return size > 1 ? { step: 'split' } : { step: 'reject', reason: decision.reason };
      }
      return { step: 'give-up', reason: decision.reason };
  }
}

/** A batch in two, the first half the larger. */
export function halve<T>(items: readonly T[]): [T[], T[]] {
  const middle = Math.ceil(items.length / 2);
  return [items.slice(0, middle), items.slice(middle)];
}

/** One answer of X for a part of the batch, with what the engine makes of it. */
export interface Answer<T> {
  items: T[];
  outcome: SendOutcome;
  decision: RetryDecision;
  step: DeliveryStep;
  /** The attempt state the retry policy decided on. */
  attempt: AttemptState;
}

/**
 * After a step: `again` sends the same items once more (the hook waited),
 * `next` goes on with the rest of the batch, `stop` ends the delivery.
 */
export type Flow = 'again' | 'next' | 'stop';

export interface DeliveryHooks<T> {
  /**
   * Before each send: how many of `items` may go now (the rest goes back to the
   * front of the queue); 0 to be asked again (after the hook waited for the
   * rate budget); `set-aside` when the hook put the items back for later.
   * `initial` is true only for the batch as handed to `deliverBatch`, before
   * its first send (a caller that took the budget when it claimed it admits it).
   */
  admit(items: T[], initial: boolean): Promise<number | 'set-aside'>;
  /** Checked before each send; `true` ends the delivery (Ctrl-C). */
  interrupted?(): boolean;
  /**
   * The retry policy's view of a part. Default: `tries` sends of this part in
   * this delivery, the first at `firstSentAt`.
   */
  attemptOf?(
    items: T[],
    tries: number,
    firstSentAt: number,
  ): Omit<AttemptState, 'now' | 'batchSize'>;
  /** Every answer, before its step is carried out (counters, logs). */
  answered?(answer: Answer<T>): void;
  delivered(answer: Answer<T>): Promise<void>;
  rejected(answer: Answer<T> & { step: { step: 'reject' } }): Promise<void>;
  /** `retry` and `wait`: wait in process and return `again`, or put the items back and return `next`. */
  later(answer: Answer<T> & { step: { step: 'retry' | 'wait' } }): Promise<Flow>;
  /** `pause` and `give-up`. */
  halted(answer: Answer<T> & { step: { step: 'pause' | 'give-up' } }): Promise<Flow>;
}

export interface DeliveryTarget<T> {
  client: XClient;
  budget: RateBudget;
  /** The retry policy (`decideRetry` of retry.ts, bound to its options). */
  decide: (outcome: SendOutcome, state: AttemptState) => RetryDecision;
  now: () => number;
  pixelId: string;
  /** Rate-budget and pause key: the ad account. */
  account: string;
  conversionOf: (item: T) => CapiConversion;
}

export type DeliveryResult<T> =
  | { status: 'settled' }
  | { status: 'interrupted' }
  | { status: 'stopped'; answer: Answer<T> };

/**
 * Sends `items` to X and carries out each step through `hooks` until every
 * part is settled, set aside, or a hook stops the delivery. Parts are settled
 * depth first, in order: a split's first half before its second.
 */
export async function deliverBatch<T>(
  target: DeliveryTarget<T>,
  items: T[],
  hooks: DeliveryHooks<T>,
): Promise<DeliveryResult<T>> {
  const queue: T[][] = [items];
  let initial = true;
  while (queue.length > 0) {
    let part = queue.shift() as T[];
    let tries = 1;
    let firstSentAt: number | undefined;
    for (;;) {
      if (hooks.interrupted?.()) return { status: 'interrupted' };
      const admitted = await hooks.admit(part, initial);
      initial = false;
      if (admitted === 'set-aside') break;
      if (admitted === 0) continue;
      if (admitted < part.length) {
        queue.unshift(part.slice(admitted));
        part = part.slice(0, admitted);
      }
      firstSentAt ??= target.now();
      const answer = await sendPart(target, part, hooks, tries, firstSentAt);
      hooks.answered?.(answer);
      const flow = await carryOut(answer, hooks, queue);
      if (flow === 'stop') return { status: 'stopped', answer };
      if (flow === 'next') break;
      // `again` after a retry counts an attempt; after a wait for X's reset it does not.
      if (answer.step.step === 'retry') tries += 1;
    }
  }
  return { status: 'settled' };
}

async function sendPart<T>(
  target: DeliveryTarget<T>,
  part: T[],
  hooks: DeliveryHooks<T>,
  tries: number,
  firstSentAt: number,
): Promise<Answer<T>> {
  const outcome = await target.client.send(target.pixelId, part.map(target.conversionOf));
  // X received the events somewhere between the take and now: count them from now.
  await target.budget.answered?.(target.account, part.length);
  const now = target.now();
  if (outcome.rateLimit) await target.budget.update(target.account, outcome.rateLimit);
  const attempt: AttemptState = {
    ...(hooks.attemptOf?.(part, tries, firstSentAt) ?? {
      attempts: tries,
      firstAttemptAt: firstSentAt,
    }),
    now,
    batchSize: part.length,
  };
  const decision: RetryDecision = outcome.ok ? { action: 'done' } : target.decide(outcome, attempt);
  return { items: part, outcome, decision, step: stepFor(outcome, decision, part.length), attempt };
}

async function carryOut<T>(
  answer: Answer<T>,
  hooks: DeliveryHooks<T>,
  queue: T[][],
): Promise<Flow> {
  const { step } = answer;
  switch (step.step) {
    case 'delivered':
      await hooks.delivered(answer);
      return 'next';
    case 'split':
      queue.unshift(...halve(answer.items));
      return 'next';
    case 'reject':
      await hooks.rejected({ ...answer, step });
      return 'next';
    case 'retry':
    case 'wait':
      return hooks.later({ ...answer, step });
    case 'pause':
    case 'give-up':
      return hooks.halted({ ...answer, step });
  }
}
