/**
 * What the emulator received and how X would count it. Deduplication follows
 * X's description [WC]: copies of one conversion (same pixel, same event, same
 * conversion_id) that arrive within 48 hours of the first copy count once,
 * whether they come from the Pixel, the Conversion API or both; copies without
 * a conversion_id each count. Records are bounded; counters are exact.
 */

import type { XError } from './conversion-rules.ts';
import { conversionKey } from './event-key.ts';
import type { FaultKind } from './faults.ts';

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

export function createLedger(options: LedgerOptions): Ledger {
  const { dedupWindowMs, maxEvents, maxConversions } = options;
  let records: EventRecord[] = [];
  let groups = new Map<string, ConversionGroup>();
  // Key → the counted copy's time and group, for keys still inside the window.
  let active = new Map<string, { firstAt: number; groupId: string }>();
  let stats = emptyStats();
  let seq = 0;

  const pruneActive = (now: number) => {
    for (const [key, entry] of active) {
      if (entry.firstAt + dedupWindowMs >= now) break;
      active.delete(key);
    }
  };

  const verdictOf = (g: ConversionGroup): Verdict =>
    g.conversionId === null
      ? 'no_conversion_id'
      : g.pixel.length > 0 && g.capi.length > 0
        ? 'counted_once'
        : 'unmatched';

  const newGroup = (rec: EventRecord, id: string, now: number): ConversionGroup => {
    const group: ConversionGroup = {
      id,
      pixelId: rec.pixelId as string,
      eventId: rec.eventKey as string,
      conversionId: rec.conversionId,
      firstSeenAt: new Date(now).toISOString(),
      windowEndsAt: rec.conversionId === null ? null : new Date(now + dedupWindowMs).toISOString(),
      verdict: 'unmatched',
      counted: 1,
      pixel: [],
      capi: [],
    };
    groups.set(id, group);
    if (groups.size > maxConversions) {
      const oldest = groups.keys().next().value;
      if (oldest !== undefined) groups.delete(oldest);
    }
    return group;
  };

  const attach = (group: ConversionGroup | undefined, rec: EventRecord) => {
    if (!group) return;
    group[rec.channel].push(rec);
    group.verdict = verdictOf(group);
  };

  const dedup = (rec: EventRecord, now: number) => {
    const pixelId = rec.pixelId as string;
    const eventKey = rec.eventKey as string;
    if (rec.conversionId === null) {
      rec.dedup = 'counted';
      rec.conversionGroupId = `${pixelId}/${eventKey}/#${rec.seq}`;
      stats.counted++;
      attach(newGroup(rec, rec.conversionGroupId, now), rec);
      return;
    }
    pruneActive(now);
    const key = conversionKey(pixelId, eventKey, rec.conversionId);
    const hit = active.get(key);
    if (hit && now - hit.firstAt <= dedupWindowMs) {
      rec.dedup = 'deduplicated';
      rec.conversionGroupId = hit.groupId;
      stats.deduplicated++;
      attach(groups.get(hit.groupId), rec);
      return;
    }
    const groupId = `${key}@${now}`;
    active.delete(key); // re-insert at the end so pruning stays in time order
    active.set(key, { firstAt: now, groupId });
    rec.dedup = 'counted';
    rec.conversionGroupId = groupId;
    stats.counted++;
    attach(newGroup(rec, groupId, now), rec);
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
        const ch = rec.channel;
        stats.received[ch]++;
        stats.received.total++;
        if (accept && rec.eventKey && rec.pixelId) {
          stats.accepted[ch]++;
          stats.accepted.total++;
          dedup(rec, now);
        } else {
          stats.rejected[ch]++;
          stats.rejected.total++;
        }
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
      const wanted = filter.eventKey?.replace(/^tw-[0-9a-z]+-/, '').toLowerCase();
      const out: EventRecord[] = [];
      for (let i = start; i < records.length; i++) {
        const r = records[i] as EventRecord;
        if (filter.since !== undefined && r.seq <= filter.since) continue;
        if (filter.channel && r.channel !== filter.channel) continue;
        if (filter.type && r.type !== filter.type) continue;
        if (filter.conversionId !== undefined && r.conversionId !== filter.conversionId) continue;
        if (wanted !== undefined && r.eventKey !== wanted) continue;
        out.push(r);
      }
      return filter.limit !== undefined ? out.slice(Math.max(0, out.length - filter.limit)) : out;
    },
    conversions(filter = {}) {
      const wanted = filter.eventKey?.replace(/^tw-[0-9a-z]+-/, '').toLowerCase();
      const out: ConversionGroup[] = [];
      for (const g of groups.values()) {
        if (filter.conversionId !== undefined && g.conversionId !== filter.conversionId) continue;
        if (wanted !== undefined && g.eventId !== wanted) continue;
        if (filter.verdict && g.verdict !== filter.verdict) continue;
        out.push(g);
      }
      return filter.limit !== undefined ? out.slice(Math.max(0, out.length - filter.limit)) : out;
    },
    stats() {
      return structuredClone(stats);
    },
    reset() {
      records = [];
      groups = new Map();
      active = new Map();
      stats = emptyStats();
    },
  };
}
