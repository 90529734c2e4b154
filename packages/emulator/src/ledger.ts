/**
 * What the emulator received and how X would count it. Deduplication follows
 * X's description [WC]: copies of one conversion (same pixel, same event, same
 * conversion_id) that arrive within 48 hours of the first copy count once,
 * whether they come from the Pixel, the Conversion API or both; copies without
 * a conversion_id each count. Records are bounded; counters are exact.
 */

import type { XError } from './conversion-rules.ts';
import type { FaultKind } from './faults.ts';
import { createGroupBook } from './ledger-groups.ts';

export type Channel = 'capi' | 'pixel';
export type DedupStatus = 'counted' | 'deduplicated' | 'not_counted';
export type Verdict = 'counted_once' | 'unmatched' | 'no_conversion_id';

export interface AuthResult {
  method: 'oauth' | 'pixel_token' | 'none';
  ok: boolean;
  userId?: string;
  consumerKey?: string;
  /** Why authentication failed. */
  error?: string;
}

/** One received copy (a CAPI conversion, a Pixel event or a Pixel page view). */
export interface EventRecord {
  /** Increasing sequence number; use it with `since` to poll. */
  seq: number;
  channel: Channel;
  type: 'conversion' | 'page_view';
  /** X's time of arrival (ISO). */
  receivedAt: string;
  /** The request's debug_id (CAPI) or a per-hit ID (Pixel). */
  debugId: string;
  /** The HTTP status the request was answered with (null when it was never answered). */
  httpStatus: number | null;
  pixelId: string | null;
  accountId: string | null;
  /** The event ID as sent (`o87ne` or `tw-o8z6j-o87ne`). */
  eventId: string | null;
  /** The normalized base-36 event ID. */
  eventKey: string | null;
  conversionId: string | null;
  conversionTime: string | null;
  twclid: string | null;
  /** Where the Pixel found the click ID: `url`, `cookie` (`_twclid`) or `kit_cookie` (`_twclid_kit`). */
  twclidSource: 'url' | 'cookie' | 'kit_cookie' | null;
  hashedEmail: string | null;
  hashedPhoneNumber: string | null;
  ipAddress: string | null;
  userAgent: string | null;
  value: string | null;
  currency: string | null;
  numberItems: number | null;
  pageUrl: string | null;
  auth: AuthResult;
  validation: { ok: boolean; errors: XError[] };
  dedup: DedupStatus;
  /** The conversion group this copy belongs to (see conversions()). */
  conversionGroupId: string | null;
  fault: FaultKind | null;
}

export type NewRecord = Omit<EventRecord, 'seq' | 'dedup' | 'conversionGroupId' | 'receivedAt'>;

/** One conversion as X counts it, with its Pixel and CAPI copies side by side. */
export interface ConversionGroup {
  id: string;
  pixelId: string;
  eventId: string;
  conversionId: string | null;
  firstSeenAt: string;
  /** Until when further copies are deduplicated into this one (null without conversion_id). */
  windowEndsAt: string | null;
  /** counted_once: Pixel and CAPI copies matched; unmatched: one channel only; no_conversion_id: cannot be deduplicated. */
  verdict: Verdict;
  /** Always 1: a group is one counted conversion. */
  counted: 1;
  pixel: EventRecord[];
  capi: EventRecord[];
}

export interface EmulatorStats {
  /** HTTP requests to the conversions endpoint (capi) and the Pixel collector (pixel). */
  requests: { capi: number; pixel: number };
  /** Conversion copies received (valid or not). */
  received: { capi: number; pixel: number; total: number };
  /** Conversion copies accepted (valid, authenticated, not faulted before processing). */
  accepted: { capi: number; pixel: number; total: number };
  /** Conversion copies rejected (auth, validation, rate limit, fault). */
  rejected: { capi: number; pixel: number; total: number };
  pageViews: number;
  /** Accepted copies that did not count because an earlier copy of the same conversion did. */
  deduplicated: number;
  /** Conversions counted (one per group). */
  counted: number;
  authFailures: number;
  /** Requests answered 429 because the account's budget was spent. */
  rateLimited: number;
  /** Requests hit by an injected fault, by kind. */
  faults: {
    server_error: number;
    rate_limited: number;
    timeout: number;
    dropped: number;
    slowed: number;
  };
}

export interface EventFilter {
  channel?: Channel;
  type?: 'conversion' | 'page_view';
  /** Only records with seq greater than this. */
  since?: number;
  conversionId?: string;
  /** Either event ID form. */
  eventKey?: string;
  /** The newest `limit` matches (default: all kept). */
  limit?: number;
}

export interface ConversionFilter {
  conversionId?: string;
  eventKey?: string;
  verdict?: Verdict;
  limit?: number;
}

export interface Ledger {
  /**
   * Stores a copy. When `accept` is true (authenticated, valid and processed:
   * X would count it) a conversion goes through deduplication; otherwise it is
   * stored as rejected.
   */
  add(record: NewRecord, now: number, accept: boolean): EventRecord;
  /** Counts a request (for stats) without storing a record. */
  countRequest(channel: Channel): void;
  countFault(kind: FaultKind | 'slowed'): void;
  countRateLimited(): void;
  countAuthFailure(): void;
  events(filter?: EventFilter): EventRecord[];
  conversions(filter?: ConversionFilter): ConversionGroup[];
  /** X's time (ms) of the latest accepted copy for the pixel's event, or null. */
  lastTracked(pixelId: string, eventKey: string): number | null;
  stats(): EmulatorStats;
  reset(): void;
}

function emptyStats(): EmulatorStats {
  return {
    requests: { capi: 0, pixel: 0 },
    received: { capi: 0, pixel: 0, total: 0 },
    accepted: { capi: 0, pixel: 0, total: 0 },
    rejected: { capi: 0, pixel: 0, total: 0 },
    pageViews: 0,
    deduplicated: 0,
    counted: 0,
    authFailures: 0,
    rateLimited: 0,
    faults: { server_error: 0, rate_limited: 0, timeout: 0, dropped: 0, slowed: 0 },
  };
}

export interface LedgerOptions {
  dedupWindowMs: number;
  maxEvents: number;
  maxConversions: number;
}

function matchesEvent(r: EventRecord, filter: EventFilter, wanted: string | undefined): boolean {
  if (filter.since !== undefined && r.seq <= filter.since) return false;
  if (filter.channel && r.channel !== filter.channel) return false;
  if (filter.type && r.type !== filter.type) return false;
  if (filter.conversionId !== undefined && r.conversionId !== filter.conversionId) return false;
  return wanted === undefined || r.eventKey === wanted;
}

function matchesGroup(g: ConversionGroup, filter: ConversionFilter, wanted: string | undefined) {
  if (filter.conversionId !== undefined && g.conversionId !== filter.conversionId) return false;
  if (wanted !== undefined && g.eventId !== wanted) return false;
  return !filter.verdict || g.verdict === filter.verdict;
}

/** The base-36 event ID of either form (`o87ne`, `tw-o8z6j-o87ne`). */
const eventKeyOf = (raw: string | undefined) => raw?.replace(/^tw-[0-9a-z]+-/, '').toLowerCase();

const newest = <T>(out: T[], limit: number | undefined): T[] =>
  limit !== undefined ? out.slice(Math.max(0, out.length - limit)) : out;

export function createLedger(options: LedgerOptions): Ledger {
  const { maxEvents } = options;
  let records: EventRecord[] = [];
  let book = createGroupBook(options);
  let stats = emptyStats();
  // "pixelId/eventKey" → X's time of the latest accepted copy (tag health, docs/x-api.md §9).
  let tracked = new Map<string, number>();
  let seq = 0;

  const count = (rec: EventRecord, accept: boolean, now: number) => {
    const ch = rec.channel;
    stats.received[ch]++;
    stats.received.total++;
    if (accept && rec.eventKey && rec.pixelId) {
      stats.accepted[ch]++;
      stats.accepted.total++;
      tracked.set(`${rec.pixelId}/${rec.eventKey}`, now);
      if (book.dedup(rec, now) === 'counted') stats.counted++;
      else stats.deduplicated++;
    } else {
      stats.rejected[ch]++;
      stats.rejected.total++;
    }
  };

  return {
    add(input, now, accept) {
      const rec: EventRecord = {
        ...input,
        seq: ++seq,
        receivedAt: new Date(now).toISOString(),
        dedup: 'not_counted',
        conversionGroupId: null,
      };
      if (rec.type === 'page_view') {
        if (rec.validation.ok) stats.pageViews++;
      } else {
        count(rec, accept, now);
      }
      records.push(rec);
      // Trim in chunks so a long benchmark stays O(1) amortized per record.
      if (records.length > maxEvents + Math.max(1, Math.floor(maxEvents / 10))) {
        records = records.slice(records.length - maxEvents);
      }
      return rec;
    },
    countRequest(channel) {
      stats.requests[channel]++;
    },
    countFault(kind) {
      stats.faults[kind]++;
    },
    countRateLimited() {
      stats.rateLimited++;
    },
    countAuthFailure() {
      stats.authFailures++;
    },
    events(filter = {}) {
      const start = records.length > maxEvents ? records.length - maxEvents : 0;
      const wanted = eventKeyOf(filter.eventKey);
      const out: EventRecord[] = [];
      for (let i = start; i < records.length; i++) {
        const r = records[i] as EventRecord;
        if (matchesEvent(r, filter, wanted)) out.push(r);
      }
      return newest(out, filter.limit);
    },
    conversions(filter = {}) {
      const wanted = eventKeyOf(filter.eventKey);
      const out = [...book.groups()].filter((g) => matchesGroup(g, filter, wanted));
      return newest(out, filter.limit);
    },
    lastTracked(pixelId, eventKey) {
      return tracked.get(`${pixelId}/${eventKey}`) ?? null;
    },
    stats() {
      return structuredClone(stats);
    },
    reset() {
      records = [];
      book = createGroupBook(options);
      tracked = new Map();
      stats = emptyStats();
    },
  };
}
