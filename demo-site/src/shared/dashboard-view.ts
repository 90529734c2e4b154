import type { Bucket } from './timeline.ts';

/** One copy (Pixel or CAPI) of a conversion as X (the emulator) received it. */
export interface CopyView {
  /** Epoch ms when the emulator received it. */
  at: number;
  twclid?: string;
  hashedEmail?: string;
  hashedPhone?: string;
  /** How many accepted copies arrived through this channel (more than one: a resend X deduplicated). */
  copies: number;
  /** Whether X counted this copy or deduplicated it against the other one. */
  status: 'counted' | 'deduplicated';
}

/**
 * How X (the emulator) counted a conversion: `counted_once` when its Pixel and
 * CAPI copies matched on conversion_id, `unmatched` when only one channel has
 * sent it so far, `no_conversion_id` when it cannot be deduplicated.
 */
export type Verdict = 'counted_once' | 'unmatched' | 'no_conversion_id';

export interface ConversionRow {
  /** The event's short ID (`o87ne`) and its name when known (`Purchase`). */
  eventId: string;
  eventName?: string;
  conversionId?: string;
  verdict: Verdict;
  pixel?: CopyView;
  capi?: CopyView;
  /** Epoch ms of the first copy, for ordering. */
  firstAt: number;
}

export interface OutboxView {
  pending: number;
  inFlight: number;
  delivered: number;
  dead: number;
  suppressed?: number;
  oldestPendingAgeMs?: number;
  batches?: number;
  retries?: number;
  debugIds: string[];
  pausedAccounts: string[];
}

export interface EmulatorTotals {
  received: number;
  rejected: number;
  counted: number;
  deduplicated: number;
  capiRequests: number;
  faulted: number;
}

/** One web event tag as X reports it, beside what the kit delivered to it. */
export interface TagView {
  id: string;
  name?: string;
  /** X's status as it comes (`TRACKING`, `UNVERIFIED`, …), or `NOT FOUND`. */
  status: string;
  lastTrackedAt: string | null;
  delivered: number;
  flags: string[];
}

/** Sent by the kit vs attributed by X on one day of the account's time zone (all tags). */
export interface DayView {
  day: string;
  delivered: number;
  attributed: number;
  provisional: boolean;
}

/** "Did X count it?": tag health and the delivery report, from `@twclid-kit/server/analytics`. */
export interface XCountedView {
  timezone: string;
  tags: TagView[];
  days: DayView[];
  notes: string[];
  /** Epoch ms of the figures shown (they are refreshed in the background). */
  updatedAt: number;
}

/** Everything the dashboard shows, gathered by the demo server on each poll. */
export interface DashboardView {
  now: number;
  /** The visitor's click, read from the kit's cookie on the dashboard request. */
  click?: { twclid: string; clickedAt: number };
  /** Set when the demo talks to the emulator (its inspection API feeds most panels). */
  emulator?: {
    url: string;
    totals: EmulatorTotals;
    /** Share of Ads API requests answered with an injected 5xx (0..1). */
    serverErrorRate: number;
  };
  /** Why the emulator's panels are empty, when they are. */
  emulatorError?: string;
  conversions: ConversionRow[];
  outbox?: OutboxView;
  outboxError?: string;
  buckets: Bucket[];
  /** Tag health and sent vs attributed per day; absent until first read. */
  xCounted?: XCountedView;
  /** Why the tag and report panel is empty (e.g. a pixel token cannot read stats). */
  xCountedError?: string;
}
