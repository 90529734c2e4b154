/**
 * Intake: a conversion input becomes an outbox row. `accept()` builds the
 * conversion (normalizing and hashing in memory), stores it durably and wakes
 * the dispatcher; it returns a result, never throws a `ValidationError`, so
 * each flow decides what an invalid conversion means for it.
 */
import type { Context } from 'hono';
import {
  type BuildConversionOptions,
  buildCheckedConversion,
  type CheckedConversionInput,
} from '../conversion.ts';
import type { Dispatcher } from '../dispatcher.ts';
import type { ConversionOrigin, OutboxStore } from '../outbox.ts';
import type { Logger, ValidationIssue } from '../x-types.ts';
import type { FormSkipCounts } from './form-skips.ts';
import type { FactsOf } from './request-facts.ts';
import { checkTwclid, type Twclid } from './twclid.ts';
import type { ConversionResult, KitStats } from './types.ts';

/** Counters since start (`KitStats.counters`). */
export interface Counters {
  accepted: number;
  duplicates: number;
  suppressed: number;
  spam: number;
  rejected: number;
  /** `kit.form()` posts let through without a conversion (form-skips.ts). */
  formSkipped: number;
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
  logger: Logger;
  /** Mints the `conversion_id` of a conversion that came without one. Default `crypto.randomUUID`. */
  randomId?: () => string;
}

/** How a flow hands a conversion over: `checkShape` for app code's input, `origin` for who vouched. */
export interface AcceptOptions {
  /** Check the other fields' types first (app code's input). */
  checkShape?: boolean;
  /** Who vouched for the conversion: `'browser'` for the public events route. Default `'server'`. */
  origin?: ConversionOrigin;
}

export interface Intake {
  readonly counters: Counters;
  /** `counters.formSkipped` per reason. */
  readonly formSkippedByReason: FormSkipCounts;
  /**
   * Builds, stores durably, then wakes the dispatcher; `{ ok: false, issues }`
   * when the input is invalid. The event and click IDs are taken as parsed.
   * A conversion without a `conversion_id` gets a random one before it is
   * stored, so a copy re-sent after a lost answer carries the same ID and X
   * counts it once (docs/x-api.md §5).
   */
  accept(input: CheckedConversionInput, options?: AcceptOptions): Promise<Accepted>;
  /** The kit's `stats()`. */
  stats(stopping: boolean): Promise<KitStats>;
}

/** Creates the kit's intake and its counters. */
export function createIntake(options: IntakeOptions): Intake {
  const { store, dispatcher, pixelId, account, now, dedupWindowMs, buildOptions, logger } = options;
  const randomId = options.randomId ?? (() => crypto.randomUUID());
  const counters: Counters = {
    accepted: 0,
    duplicates: 0,
    suppressed: 0,
    spam: 0,
    rejected: 0,
    formSkipped: 0,
  };
  const formSkippedByReason: FormSkipCounts = {};
  let warnedNoId = false;
  return {
    counters,
    formSkippedByReason,
    async accept(input, acceptOptions) {
      const built = buildCheckedConversion(
        input,
        acceptOptions?.checkShape ? { ...buildOptions, checkShape: true } : buildOptions,
      );
      if (!built.ok) return { ok: false, issues: built.issues };
      const conversion = built.conversion;
      if (conversion.conversion_id === undefined) {
        conversion.conversion_id = randomId();
        if (!warnedNoId) {
          warnedNoId = true;
          // Once per kit: the kit's own ID keeps re-sends counted once, but only the
          // app's ID, also given to the Pixel, lets X merge the two copies.
          logger.log('warn', 'conversion.no_conversion_id', {
            message:
              'a conversion came without conversion_id; the kit gave it a random one. Pass the ID the page gave the Pixel so X counts the two copies once',
          });
        }
      }
      const stored = await store.enqueue({
        pixelId,
        account,
        conversion,
        now: now(),
        dedupWindowMs,
        ...(acceptOptions?.origin ? { origin: acceptOptions.origin } : {}),
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
          conversionId: conversion.conversion_id,
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
        formSkippedByReason: { ...formSkippedByReason },
      };
    },
  };
}

/** A conversion input before its request fills it in: the click ID as the flow received it. */
export type KitConversionInput = Omit<CheckedConversionInput, 'twclid'> & { twclid?: unknown };

/** The input completed from its request, or the click ID's issue. */
export type Completed =
  | { ok: true; input: CheckedConversionInput }
  | { ok: false; issues: ValidationIssue[] };

/** Completes a conversion input from its request: the visitor's click, IP and user agent. */
export type FromRequest = (c: Context, input: KitConversionInput) => Completed;

/**
 * Creates `fromRequest`, which applies the kit's one policy for a click ID
 * (docs/product.md, "Wire contract"): the input's own `twclid`, else the
 * one the landing or form middleware put in `c.var.twclid`, else the click
 * cookie's; whichever is used is checked once (`checkTwclid`), and an invalid
 * one makes the conversion invalid, named `twclid` (never dropped silently,
 * never replaced by the cookie). Blank is no click. IP and user agent are never
 * taken from the client's body, only from the request itself.
 */
export function createFromRequest(
  factsOf: FactsOf,
  clickOf: (c: Context) => Twclid | undefined,
): FromRequest {
  return function fromRequest(c, input) {
    const { twclid: own, ...rest } = input;
    let click = checkTwclid(own);
    // c.var.twclid is set by landing() and form() from a checked value; one an
    // app set there itself is checked here like any other.
    if (click.ok && click.twclid === undefined) click = checkTwclid(c.get('twclid'));
    if (!click.ok) return { ok: false, issues: [{ field: 'twclid', message: click.reason }] };
    const full: CheckedConversionInput = rest;
    const twclid = click.twclid ?? clickOf(c);
    if (twclid !== undefined) full.twclid = twclid;
    const facts = factsOf(c);
    const ip = facts.ip;
    if (ip !== undefined) full.ip = ip;
    const ua = facts.userAgent;
    if (ua !== undefined) full.userAgent = ua;
    return { ok: true, input: full };
  };
}
