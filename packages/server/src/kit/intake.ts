/**
 * Intake: a conversion input becomes an outbox row. `accept()` builds the
 * conversion (normalizing and hashing in memory), stores it durably and wakes
 * the dispatcher; it returns a result, never throws a `ValidationError`, so
 * each flow decides what an invalid conversion means for it.
 */
import type { Context } from 'hono';
import { type BuildConversionOptions, buildConversion } from '../conversion.ts';
import type { Dispatcher } from '../dispatcher.ts';
import type { OutboxStore } from '../outbox.ts';
import type { ConversionInput, ValidationIssue } from '../x-types.ts';
import type { FactsOf } from './request-facts.ts';
import type { Twclid } from './twclid.ts';
import type { ConversionResult, KitStats } from './types.ts';

/** Counters since start (`KitStats.counters`). */
export interface Counters {
  accepted: number;
  duplicates: number;
  suppressed: number;
  spam: number;
  rejected: number;
}

export type Queued = ConversionResult & { status: 'queued' };
export type Accepted = { ok: true; result: Queued } | { ok: false; issues: ValidationIssue[] };

export interface IntakeOptions {
  store: OutboxStore;
  dispatcher: Dispatcher;
  pixelId: string;
  account: string;
  now: () => number;
  dedupWindowMs: number;
  buildOptions: BuildConversionOptions;
}

export interface Intake {
  readonly counters: Counters;
  /** Builds, stores durably, then wakes the dispatcher; `{ ok: false, issues }` when the input is invalid. */
  accept(input: ConversionInput): Promise<Accepted>;
  /** The kit's `stats()`. */
  stats(stopping: boolean): Promise<KitStats>;
}

/** Creates the kit's intake and its counters. */
export function createIntake(options: IntakeOptions): Intake {
  const { store, dispatcher, pixelId, account, now, dedupWindowMs, buildOptions } = options;
  const counters: Counters = { accepted: 0, duplicates: 0, suppressed: 0, spam: 0, rejected: 0 };
  return {
    counters,
    async accept(input) {
      const built = buildConversion(input, buildOptions);
      if (!built.ok) return { ok: false, issues: built.issues };
      const stored = await store.enqueue({
        pixelId,
        account,
        conversion: built.conversion,
        now: now(),
        dedupWindowMs,
      });
      if (stored.duplicate) counters.duplicates++;
      else {
        counters.accepted++;
        dispatcher.notify(pixelId, account);
      }
      return {
        ok: true,
        result: {
          status: 'queued',
          conversionId: built.conversion.conversion_id,
          duplicate: stored.duplicate,
          outboxId: stored.id,
        },
      };
    },
    async stats(stopping) {
      const outbox = await store.stats(now());
      const state = dispatcher.state();
      return {
        status: stopping ? 'stopping' : state.paused.length > 0 ? 'paused' : 'ok',
        ...outbox,
        depth: outbox.pending + outbox.inFlight,
        lastDebugId: state.lastDebugId,
        lastSendAt: state.lastSendAt,
        pausedAccounts: state.paused,
        counters: { ...counters },
      };
    },
  };
}

/** A conversion input whose click ID, if any, has passed `checkTwclid` at the flow's edge. */
export type KitConversionInput = Omit<ConversionInput, 'twclid'> & { twclid?: Twclid | undefined };

/** Completes a conversion input from its request: the visitor's click, IP and user agent. */
export type FromRequest = (c: Context, input: KitConversionInput) => ConversionInput;

/**
 * Creates `fromRequest`. The click is the input's own, else the one the
 * landing or form middleware put in `c.var.twclid`, else the click cookie's.
 * IP and user agent are never taken from the client's body, only from the
 * request itself.
 */
export function createFromRequest(
  factsOf: FactsOf,
  clickOf: (c: Context) => Twclid | undefined,
): FromRequest {
  return function fromRequest(c, input) {
    const { twclid: own, ...rest } = input;
    const full: ConversionInput = rest;
    // c.var.twclid is set by landing() and form() from parseTwclid(); a value an
    // app set there itself is still checked by buildConversion().
    const twclid = own ?? (c.get('twclid') as string | undefined) ?? clickOf(c);
    if (twclid !== undefined) full.twclid = twclid;
    const facts = factsOf(c);
    const ip = facts.ip;
    if (ip !== undefined) full.ip = ip;
    const ua = facts.userAgent;
    if (ua !== undefined) full.userAgent = ua;
    return full;
  };
}
