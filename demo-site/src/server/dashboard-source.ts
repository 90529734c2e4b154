/**
 * Gathers what the dashboard shows: X's side from the emulator's inspection
 * API, the kit's side from its delivery stats, and the visitor's click.
 */
import type { StoredClick } from '@twclid-kit/browser/contract';
import type { ConversionGroup, EmulatorStats, EventRecord } from '@twclid-kit/emulator';
import type {
  ConversionRow,
  CopyView,
  DashboardView,
  EmulatorTotals,
  OutboxView,
  XCountedView,
} from '../shared/dashboard-view.ts';
import { bucketEvents, type TimedEvent } from '../shared/timeline.ts';
import type { EmulatorClient } from './emulator-client.ts';

/** The chart: 30 slots of 10 s (the last five minutes). */
export const CHART_SLOTS = 30;
export const CHART_SLOT_MS = 10_000;
/** Conversions listed, newest first. */
export const CONVERSION_ROWS = 12;

export interface DashboardSourceOptions {
  /** The emulator, when the demo talks to one. */
  emulator?: EmulatorClient;
  /** The kit's delivery stats. */
  outbox: () => Promise<OutboxView>;
  /** Tag health and sent vs attributed per day (x-counted.ts), when X can be read. */
  xCounted?: () => { view?: XCountedView; error?: string };
  now?: () => number;
}

export interface DashboardSource {
  view(click: StoredClick | undefined): Promise<DashboardView>;
}

function copyOf(records: readonly EventRecord[]): CopyView | undefined {
  const first = records[0];
  if (!first) return undefined;
  const copy: CopyView = {
    at: Date.parse(first.receivedAt),
    copies: records.length,
    status: first.dedup === 'deduplicated' ? 'deduplicated' : 'counted',
  };
  if (first.twclid) copy.twclid = first.twclid;
  if (first.hashedEmail) copy.hashedEmail = first.hashedEmail;
  if (first.hashedPhoneNumber) copy.hashedPhone = first.hashedPhoneNumber;
  return copy;
}

/** Emulator conversion groups → table rows, newest first. */
export function conversionRows(
  groups: readonly ConversionGroup[],
  names: ReadonlyMap<string, string>,
  limit = CONVERSION_ROWS,
): ConversionRow[] {
  return groups
    .map((group) => {
      const row: ConversionRow = {
        eventId: group.eventId,
        verdict: group.verdict,
        firstAt: Date.parse(group.firstSeenAt),
      };
      const name = names.get(group.eventId);
      if (name) row.eventName = name;
      if (group.conversionId) row.conversionId = group.conversionId;
      const pixel = copyOf(group.pixel);
      const capi = copyOf(group.capi);
      if (pixel) row.pixel = pixel;
      if (capi) row.capi = capi;
      return row;
    })
    .sort((a, b) => b.firstAt - a.firstAt)
    .slice(0, limit);
}

/**
 * Conversion copies → chart points: accepted copies by channel, and CAPI
 * requests hit by an injected fault (the ones the outbox had to retry).
 */
export function timedEvents(records: readonly EventRecord[]): TimedEvent[] {
  const points: TimedEvent[] = [];
  for (const record of records) {
    const at = Date.parse(record.receivedAt);
    if (record.fault) points.push({ at, channel: 'fault' });
    else if (record.dedup !== 'not_counted') points.push({ at, channel: record.channel });
  }
  return points;
}

export function totals(stats: EmulatorStats): EmulatorTotals {
  const f = stats.faults;
  return {
    received: stats.received.total,
    rejected: stats.rejected.total,
    counted: stats.counted,
    deduplicated: stats.deduplicated,
    capiRequests: stats.requests.capi,
    faulted: f.server_error + f.rate_limited + f.timeout + f.dropped,
  };
}

/** The newest distinct debug_ids X answered successful CAPI requests with. */
export function recentDebugIds(records: readonly EventRecord[], count = 3): string[] {
  const ids: string[] = [];
  for (let i = records.length - 1; i >= 0 && ids.length < count; i--) {
    const r = records[i];
    if (r?.channel === 'capi' && r.httpStatus === 200 && !ids.includes(r.debugId))
      ids.push(r.debugId);
  }
  return ids;
}

export function createDashboardSource(options: DashboardSourceOptions): DashboardSource {
  const { emulator, outbox } = options;
  const now = options.now ?? Date.now;
  let names: Map<string, string> | undefined;

  return {
    async view(click) {
      const at = now();
      const view: DashboardView = { now: at, conversions: [], buckets: [] };
      if (click) view.click = click;
      let events: EventRecord[] = [];
      const [x, kit] = await Promise.allSettled([
        emulator
          ? Promise.all([
              emulator.stats(),
              emulator.conversions(200),
              emulator.events(2_000),
              emulator.faults(),
              names
                ? Promise.resolve(names)
                : emulator
                    .eventNames()
                    .then((list) => new Map(list.map((e) => [e.id, e.name ?? e.id]))),
            ])
          : Promise.resolve(undefined),
        outbox(),
      ]);
      if (x.status === 'fulfilled' && x.value && emulator) {
        const [stats, groups, records, faults, eventNames] = x.value;
        names = eventNames;
        events = records;
        view.emulator = {
          url: emulator.url,
          totals: totals(stats),
          serverErrorRate: faults.serverErrorRate,
        };
        view.conversions = conversionRows(groups, eventNames);
      } else if (x.status === 'rejected') {
        view.emulatorError = `The emulator did not answer: ${(x.reason as Error).message}`;
      }
      if (kit.status === 'fulfilled') {
        view.outbox = kit.value;
        const fromX = recentDebugIds(events);
        if (fromX.length > 0) view.outbox.debugIds = fromX;
        // Every request X answered with a fault is one the outbox had to send again.
        if (view.emulator) view.outbox.retries = view.emulator.totals.faulted;
      } else {
        view.outboxError = `The kit did not report: ${(kit.reason as Error).message}`;
      }
      view.buckets = bucketEvents(timedEvents(events), at, CHART_SLOTS, CHART_SLOT_MS);
      const counted = options.xCounted?.();
      if (counted?.view) view.xCounted = counted.view;
      if (counted?.error) view.xCountedError = counted.error;
      return view;
    },
  };
}
