/**
 * How the dispatcher carries out the delivery engine's steps (batch-delivery.ts)
 * for events of the outbox: it never waits in process. A delivered or rejected
 * event is settled in the store; a retry is rescheduled with its backoff; a 429
 * or a 401/403/404 pauses the account (the events stay due and are skipped while
 * it is paused); a spent retry budget dead-letters the events. Every answer is
 * logged. Browser rows spend the browser share of X's budget as well
 * (dispatcher-share.ts): the dispatcher took it with the claim; a half of a
 * split batch takes it again, as it takes X's budget again.
 */
import { type Answer, type DeliveryHooks, deliverBatch } from './batch-delivery.ts';
import type { PausedAccount } from './dispatcher.ts';
import { browserKey, browserRows } from './dispatcher-share.ts';
import { claimRefs, type OutboxEvent, type OutboxStore, type SettleResult } from './outbox.ts';
import { describeOutcome } from './outcome-text.ts';
import type { AttemptState } from './retry.ts';
import type { Logger, RateBudget, RetryDecision, SendOutcome, XClient } from './x-types.ts';

export interface OutboxDeliveryOptions {
  store: OutboxStore;
  client: XClient;
  budget: RateBudget;
  /** The browser share of `budget` (keyed `browserKey(account)`); absent: no share. */
  browserBudget?: RateBudget | undefined;
  decide: (outcome: SendOutcome, state: AttemptState) => RetryDecision;
  logger: Logger;
  now: () => number;
  /** How long a 401/403/404 pause lasts before one probe request. */
  authPauseMs: number;
  /** The account's pause in force at `at`, if any. */
  pauseOf(account: string, at: number): PausedAccount | undefined;
  /** Pauses an account (replacing its pause, if any). */
  pause(pause: PausedAccount): void;
}

export interface DeliveryCounters {
  lastDebugId: string | undefined;
  lastSendAt: number | undefined;
  batchesSent: number;
}

export interface OutboxDelivery {
  /** Sends claimed events (their budget already taken) and settles every part of them. */
  settle(pixelId: string, account: string, events: OutboxEvent[]): Promise<void>;
  /** Read live: the dispatcher's `state()` reports them. */
  readonly counters: DeliveryCounters;
}

/**
 * A settle that found claims no longer current: the lease ran out and another
 * worker took the events over, so their fate is its to record (X deduplicates
 * a copy sent twice by `conversion_id`). Logged, never fatal.
 */
function settled(logger: Logger, action: string, result: SettleResult): void {
  if (result.stale.length === 0) return;
  logger.log('warn', 'outbox.claim_lost', { action, events: result.stale.length });
}

/** Events put back as due now, without counting an attempt (paused account, no budget). */
async function putBack(
  o: Pick<OutboxDeliveryOptions, 'store' | 'logger' | 'now'>,
  events: OutboxEvent[],
): Promise<'set-aside'> {
  const t = o.now();
  const result = await o.store.reschedule(claimRefs(events), {
    now: t,
    nextAttemptAt: t,
    countAttempt: false,
  });
  settled(o.logger, 'reschedule', result);
  return 'set-aside';
}

/** The browser share's side of one batch's delivery. */
interface Share {
  /** X's budget for the delivery engine, telling the share when a request ended as well. */
  budget: RateBudget;
  /** The part about to be sent (its budgets taken): its browser rows count for the share. */
  sending(events: readonly OutboxEvent[]): void;
  /** Takes the share for a part's browser rows (a split half); `false`: not enough, none taken. */
  take(events: readonly OutboxEvent[]): Promise<boolean>;
}

/**
 * X's budget as the delivery engine sees it for one batch: when a request
 * ends (`answered`), the browser rows it carried count from then in the share
 * too, so the share holds by X's clock as X's budget does.
 */
function shareOf(
  budget: RateBudget,
  browserBudget: RateBudget | undefined,
  account: string,
): Share {
  if (!browserBudget) return { budget, sending: () => {}, take: async () => true };
  const key = browserKey(account);
  let browser = 0;
  return {
    budget: {
      take: (a, wanted) => budget.take(a, wanted),
      nextFreeAt: (a) => budget.nextFreeAt(a),
      refund: (a, count) => budget.refund(a, count),
      update: (a, info) => budget.update(a, info),
      async answered(a, count) {
        await budget.answered?.(a, count);
        if (browser > 0) await browserBudget.answered?.(key, browser);
      },
    },
    sending(events) {
      browser = browserRows(events);
    },
    async take(events) {
      const wanted = browserRows(events);
      const granted = wanted === 0 ? 0 : await browserBudget.take(key, wanted);
      if (granted < wanted) {
        await browserBudget.refund(key, granted);
        return false;
      }
      browser = wanted;
      return true;
    },
  };
}

/** Dead-letters a batch's events with X's reason, and logs which. */
async function deadLetter(
  { store, logger }: Pick<OutboxDeliveryOptions, 'store' | 'logger'>,
  pixelId: string,
  account: string,
  answer: Answer<OutboxEvent>,
): Promise<void> {
  const reason = (answer.step as { reason: string }).reason;
  const refs = claimRefs(answer.items);
  const ids = refs.map((r) => r.id);
  settled(
    logger,
    'markDead',
    await store.markDead(
      refs.map((ref) => ({ ...ref, reason })),
      answer.attempt.now,
    ),
  );
  // A policy that splits down to one event names it; a policy's own verdict counts events.
  const which = answer.decision.action === 'split' ? { outboxId: ids[0] } : { events: ids.length };
  logger.log('error', 'event.dead', { pixelId, account, ...which, error: reason });
}

export function createOutboxDelivery(options: OutboxDeliveryOptions): OutboxDelivery {
  const { store, client, budget, decide, logger, now, authPauseMs, pauseOf } = options;
  const counters: DeliveryCounters = {
    lastDebugId: undefined,
    lastSendAt: undefined,
    batchesSent: 0,
  };

  /** Sends claimed events through the delivery engine (batch-delivery.ts) and stores each step. */
  async function settle(pixelId: string, account: string, events: OutboxEvent[]): Promise<void> {
    const share = shareOf(budget, options.browserBudget, account);
    await deliverBatch(
      {
        client,
        budget: share.budget,
        decide,
        now,
        pixelId,
        account,
        conversionOf: (e) => e.conversion,
      },
      events,
      outboxHooks(pixelId, account, share),
    );
  }

  const setAside = (events: OutboxEvent[]) => putBack(options, events);

  /** A 401/403/404 (until a probe after `authPauseMs`) or a 429 (until X's reset). */
  async function pauseAccount(account: string, answer: Answer<OutboxEvent>, untilMs?: number) {
    const { outcome, attempt } = answer;
    const at = attempt.now;
    const reason = (answer.step as { reason: string }).reason;
    const until = untilMs ?? at + authPauseMs;
    const pause: PausedAccount = { account, until, reason };
    if (outcome.status !== undefined) pause.status = outcome.status;
    options.pause(pause);
    logger.log(outcome.kind === 'rate_limited' ? 'warn' : 'error', 'account.paused', {
      account,
      until: new Date(until).toISOString(),
      reason,
      status: outcome.status,
    });
    // The pause lives in the dispatcher (so `resume()` takes effect at once); the
    // events stay due and are skipped while the account is paused.
    if (outcome.kind === 'rate_limited') {
      // Shared budgets (the SQLite file, a database) pause every process until X's reset.
      await budget.update(account, { remaining: 0, resetAt: until });
    }
    settled(
      logger,
      'reschedule',
      await store.reschedule(claimRefs(answer.items), {
        now: at,
        nextAttemptAt: at,
        error: describeOutcome(outcome),
        countAttempt: false,
      }),
    );
  }

  function outboxHooks(pixelId: string, account: string, share: Share): DeliveryHooks<OutboxEvent> {
    return {
      async admit(events, initial) {
        // The claimed batch took its budgets when it was claimed.
        if (initial) {
          share.sending(events);
          return events.length;
        }
        if (pauseOf(account, now())) return setAside(events);
        const granted = await budget.take(account, events.length);
        // Not enough budget for the half now: put it back; it is split again later.
        if (granted < events.length || !(await share.take(events))) {
          await budget.refund(account, granted);
          return setAside(events);
        }
        return granted;
      },
      attemptOf: (events) => ({
        attempts: Math.max(...events.map((e) => e.attempts)) + 1,
        firstAttemptAt: Math.min(...events.map((e) => e.createdAt)),
      }),
      answered({ items, outcome, decision, attempt }) {
        counters.lastSendAt = attempt.now;
        counters.batchesSent++;
        if (outcome.ok) return;
        logger.log(
          decision.action === 'pause' && outcome.kind !== 'rate_limited' ? 'error' : 'warn',
          'x.send',
          {
            pixelId,
            account,
            events: items.length,
            status: outcome.status,
            kind: outcome.kind,
            attempt: attempt.attempts,
            action: decision.action,
            error: describeOutcome(outcome),
          },
        );
      },
      async delivered({ items, outcome, attempt }) {
        settled(logger, 'markDelivered', await store.markDelivered(claimRefs(items), attempt.now));
        if (!outcome.ok) return;
        counters.lastDebugId = outcome.debugId;
        logger.log('info', 'x.send', {
          pixelId,
          account,
          events: items.length,
          status: outcome.status,
          debugId: outcome.debugId,
        });
      },
      rejected: (answer) => deadLetter(options, pixelId, account, answer),
      async later(answer) {
        const { step, attempt } = answer;
        if (step.step === 'wait') await pauseAccount(account, answer, step.untilMs);
        else {
          settled(
            logger,
            'reschedule',
            await store.reschedule(claimRefs(answer.items), {
              now: attempt.now,
              nextAttemptAt: attempt.now + step.delayMs,
              error: describeOutcome(answer.outcome),
              countAttempt: true,
            }),
          );
        }
        return 'next';
      },
      async halted(answer) {
        if (answer.step.step === 'pause') await pauseAccount(account, answer);
        else await deadLetter(options, pixelId, account, answer);
        return 'next';
      },
    };
  }

  return { settle, counters };
}
