/**
 * The delivery report (docs/x-api.md §9): per event tag and per day in the ad
 * account's time zone, what the kit delivered (conversions X acknowledged, by
 * conversion time) next to what X attributed to ads. Attributed figures come
 * from one asynchronous stats job per placement and batch of 20 active
 * campaigns (`metric_groups=WEB_CONVERSION`, `segmentation_type=
 * CONVERSION_TAGS`, `granularity=DAY`), summed over campaigns and placements.
 * `quick` uses the synchronous endpoint instead (≤ 7 days), which is not
 * segmented by tag: its rows are per conversion type.
 */
import type { DeliveredCount } from '../delivered-counts.ts';
import { type JobProgress, runStatsJobs } from './stats-jobs.ts';
import {
  type Attributed,
  addMetricTotals,
  addTagSegments,
  emptyAttributed,
  METRIC_FOR_TYPE,
} from './stats-parse.ts';
import { addDays, lastDays, startOfZonedDay, zonedDay } from './time-zone.ts';
import {
  type ActiveEntity,
  type AnalyticsClient,
  AnalyticsError,
  type StatsBody,
  type StatsQuery,
  type WebEventTag,
} from './x-reads.ts';

/** Segmented stats reach back 45 days, the sync endpoint 7 (docs/x-api.md §9). */
export const MAX_REPORT_DAYS = 45;
export const MAX_QUICK_DAYS = 7;
export const MAX_ENTITIES_PER_REQUEST = 20;
/** Synchronous stats requests per 15 minutes per user (docs/x-api.md §9). */
export const SYNC_REQUESTS_PER_WINDOW = 250;
/** Asked when `active_entities` names no placement for a campaign. */
export const PLACEMENTS_DEFAULT = ['ALL_ON_TWITTER', 'PUBLISHER_NETWORK'] as const;
/** X's figures are estimates until a day is 24 h old (docs/x-api.md §9). */
export const PROVISIONAL_MS = 24 * 3_600_000;

export const ATTRIBUTION_NOTE =
  'Fewer attributed than delivered is normal: X counts only conversions it matched to a person ' +
  "and attributed to an ad within the tag's windows, and merges the Pixel and Conversion API copies.";

export interface ReportRow {
  /** Tag ID, or (quick) the conversion metric, e.g. `conversion_purchases`. */
  key: string;
  name?: string;
  day: string;
  provisional: boolean;
  delivered: number;
  postEngagement: number;
  postView: number;
  attributed: number;
  /** attributed / delivered; `null` when nothing was delivered. */
  ratio: number | null;
}

export interface DeliveryReport {
  mode: 'tags' | 'quick';
  account: { id: string; timezone: string };
  days: string[];
  startTime: string;
  endTime: string;
  campaigns: number;
  requests: number;
  rows: ReportRow[];
  notes: string[];
}

export interface ReportOptions {
  client: AnalyticsClient;
  /** Delivered counts from the outbox covering the period. */
  delivered: readonly DeliveredCount[];
  /** Tag IDs to report besides those found in `delivered`. */
  tagIds?: readonly string[];
  days: number;
  quick?: boolean;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Fetch for job result files. */
  fetch?: typeof fetch;
  pollMs?: number;
  onProgress?: (progress: JobProgress) => void;
}

/** ISO 8601 without milliseconds, as X's examples write it. */
export const isoSeconds = (ms: number): string =>
  new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** One stats query per placement and batch of 20 campaigns. */
export function statsQueries(
  campaigns: readonly { id: string; placements: readonly string[] }[],
  period: { startTime: string; endTime: string },
  segmentationType?: string,
): StatsQuery[] {
  const byPlacement = new Map<string, string[]>();
  for (const c of campaigns) {
    for (const p of c.placements.length > 0 ? c.placements : PLACEMENTS_DEFAULT) {
      byPlacement.set(p, [...(byPlacement.get(p) ?? []), c.id]);
    }
  }
  const queries: StatsQuery[] = [];
  for (const [placement, ids] of byPlacement) {
    for (let i = 0; i < ids.length; i += MAX_ENTITIES_PER_REQUEST) {
      queries.push({
        entityIds: ids.slice(i, i + MAX_ENTITIES_PER_REQUEST),
        ...period,
        placement,
        ...(segmentationType ? { segmentationType } : {}),
      });
    }
  }
  return queries;
}

function deliveredByDay(
  delivered: readonly DeliveredCount[],
  days: readonly string[],
  timezone: string,
  keyOf: (c: DeliveredCount) => string | undefined,
): Map<string, number[]> {
  const index = new Map(days.map((d, i) => [d, i]));
  const out = new Map<string, number[]>();
  for (const c of delivered) {
    const key = keyOf(c);
    const i = index.get(zonedDay(c.hour, timezone));
    if (key === undefined || i === undefined) continue;
    const series = out.get(key) ?? Array(days.length).fill(0);
    series[i] += c.count;
    out.set(key, series);
  }
  return out;
}

async function syncAll(
  options: ReportOptions,
  queries: readonly StatsQuery[],
): Promise<StatsBody[]> {
  if (queries.length > SYNC_REQUESTS_PER_WINDOW) {
    throw new AnalyticsError(
      'rate-limited',
      `--quick would need ${queries.length} stats requests; X allows ${SYNC_REQUESTS_PER_WINDOW} per 15 minutes (run the report without --quick)`,
    );
  }
  const bodies: StatsBody[] = [];
  for (const query of queries) {
    try {
      bodies.push((await options.client.syncStats(query)).body);
    } catch (error) {
      // One wait for X's window to reset, then the answer stands.
      if (!(error instanceof AnalyticsError) || error.kind !== 'rate-limited') throw error;
      await options.sleep(
        Math.max(1000, (error.retryAt ?? options.now() + 60_000) - options.now()),
      );
      bodies.push((await options.client.syncStats(query)).body);
    }
  }
  return bodies;
}

function row(
  key: string,
  name: string | undefined,
  day: string,
  provisional: boolean,
  delivered: number,
  a: Attributed,
  i: number,
): ReportRow {
  const postEngagement = a.postEngagement[i] ?? 0;
  const postView = a.postView[i] ?? 0;
  const attributed = postEngagement + postView;
  return {
    key,
    ...(name ? { name } : {}),
    day,
    provisional,
    delivered,
    postEngagement,
    postView,
    attributed,
    ratio: delivered > 0 ? attributed / delivered : null,
  };
}

interface Period {
  tz: string;
  days: string[];
  provisional: boolean[];
  startTime: string;
  endTime: string;
}

function seriesRows(
  key: string,
  name: string | undefined,
  period: Period,
  delivered: readonly number[] | undefined,
  a: Attributed,
): ReportRow[] {
  return period.days.map((day, i) =>
    row(key, name, day, period.provisional[i] as boolean, delivered?.[i] ?? 0, a, i),
  );
}

function period(now: number, count: number, tz: string): Period {
  const days = lastDays(now, count, tz);
  return {
    tz,
    days,
    provisional: days.map((d) => startOfZonedDay(addDays(d, 1), tz) > now - PROVISIONAL_MS),
    startTime: isoSeconds(startOfZonedDay(days[0] as string, tz)),
    endTime: isoSeconds(startOfZonedDay(addDays(days[days.length - 1] as string, 1), tz)),
  };
}

/** `--quick`: sync stats by conversion type; delivered counts mapped through each tag's type. */
async function quickRows(
  options: ReportOptions,
  p: Period,
  campaigns: readonly ActiveEntity[],
  tagById: ReadonlyMap<string, WebEventTag>,
): Promise<{ rows: ReportRow[]; requests: number }> {
  const queries = statsQueries(campaigns, p);
  const byMetric = new Map<string, Attributed>();
  for (const body of await syncAll(options, queries))
    addMetricTotals(body, byMetric, p.days.length);
  const metricOf = (c: DeliveredCount) => METRIC_FOR_TYPE[tagById.get(c.eventId)?.type ?? ''];
  const delivered = deliveredByDay(options.delivered, p.days, p.tz, metricOf);
  const attributedMetrics = [...byMetric]
    .filter(([, a]) => a.postEngagement.some(Boolean) || a.postView.some(Boolean))
    .map(([m]) => m);
  const metrics = [...new Set([...delivered.keys(), ...attributedMetrics])].sort();
  const rows = metrics.flatMap((metric) =>
    seriesRows(
      metric,
      undefined,
      p,
      delivered.get(metric),
      byMetric.get(metric) ?? emptyAttributed(p.days.length),
    ),
  );
  return { rows, requests: queries.length };
}

/** The per-tag report: one segmented job per placement and campaign batch. */
async function tagRows(
  options: ReportOptions,
  p: Period,
  campaigns: readonly ActiveEntity[],
  tagIds: readonly string[],
  tagById: ReadonlyMap<string, WebEventTag>,
  notes: string[],
): Promise<{ rows: ReportRow[]; requests: number }> {
  const queries = statsQueries(campaigns, p, 'CONVERSION_TAGS');
  const bodies = await runStatsJobs({
    client: options.client,
    queries,
    sleep: options.sleep,
    now: options.now,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const byTag = new Map(tagIds.map((id) => [id, emptyAttributed(p.days.length)]));
  let unmatched = 0;
  for (const body of bodies) unmatched += addTagSegments(body, byTag, p.days.length).unmatched;
  if (unmatched > 0) {
    notes.push(
      `${unmatched} stats segments named no tag of this report (other tags of the account).`,
    );
  }
  const delivered = deliveredByDay(options.delivered, p.days, p.tz, (c) => c.eventId);
  const rows = tagIds.flatMap((id) =>
    seriesRows(id, tagById.get(id)?.name, p, delivered.get(id), byTag.get(id) as Attributed),
  );
  return { rows, requests: queries.length };
}

export async function buildReport(options: ReportOptions): Promise<DeliveryReport> {
  const limit = options.quick ? MAX_QUICK_DAYS : MAX_REPORT_DAYS;
  if (!Number.isInteger(options.days) || options.days < 1 || options.days > limit) {
    throw new RangeError(
      `days must be a whole number from 1 to ${limit}${options.quick ? ' with quick' : ''}`,
    );
  }
  const account = await options.client.account();
  const p = period(options.now(), options.days, account.timezone);
  const tagIds = [
    ...new Set([...(options.tagIds ?? []), ...options.delivered.map((c) => c.eventId)]),
  ].sort();
  const tags = tagIds.length > 0 ? await options.client.webEventTags(tagIds) : [];
  const tagById = new Map(tags.map((t) => [t.id, t]));
  const campaigns = await options.client.activeCampaigns(p.startTime, p.endTime);
  const notes = [ATTRIBUTION_NOTE];
  if (p.provisional.some(Boolean)) {
    notes.push('Days marked * are younger than 24 h: X still updates their figures.');
  }
  if (campaigns.length === 0) {
    notes.push('No campaign was active in the period: X attributed nothing to ads.');
  }
  const result = options.quick
    ? await quickRows(options, p, campaigns, tagById)
    : await tagRows(options, p, campaigns, tagIds, tagById, notes);
  return {
    mode: options.quick ? 'quick' : 'tags',
    account: { id: account.id, timezone: account.timezone },
    days: p.days,
    startTime: p.startTime,
    endTime: p.endTime,
    campaigns: campaigns.length,
    requests: result.requests,
    rows: result.rows,
    notes,
  };
}
