/**
 * The stats answer (sync response and job result file share it,
 * docs/x-api.md §9): per campaign `id_data[].{segment, metrics}`, every
 * WEB_CONVERSION metric an object of arrays with one entry per time bucket,
 * `null` for zero, and the whole metric `null` when it has nothing at all.
 */
import { TAG_METRICS, WEB_CONVERSION_METRICS } from './analytics-config.ts';
import type { Attributed } from './attribution.ts';
import type { StatsQuery } from './stats-params.ts';
import { localDate, localDays } from './time-zone.ts';

type Series = (number | null)[];
export interface MetricValue {
  metric: Series;
  post_view: Series;
  post_engagement: Series;
}
export interface IdData {
  segment: { segment_name: string; segment_value: string } | null;
  metrics: Record<string, MetricValue | null>;
}
export interface StatsBody {
  data_type: 'stats';
  time_series_length: number;
  data: { id: string; id_data: IdData[] }[];
  request: { params: Record<string, string> };
}

/** Maps an instant to its bucket index, or -1 outside [start, end). */
function bucketer(q: StatsQuery, timezone: string): { length: number; index(ms: number): number } {
  const inRange = (ms: number) => ms >= q.start && ms < q.end;
  if (q.granularity === 'TOTAL') return { length: 1, index: (ms) => (inRange(ms) ? 0 : -1) };
  if (q.granularity === 'HOUR') {
    return {
      length: Math.round((q.end - q.start) / 3_600_000),
      index: (ms) => (inRange(ms) ? Math.floor((ms - q.start) / 3_600_000) : -1),
    };
  }
  const days = localDays(q.start, q.end, timezone);
  const byDay = new Map(days.map((d, i) => [d, i]));
  return {
    length: days.length,
    index: (ms) => (inRange(ms) ? (byDay.get(localDate(ms, timezone)) ?? -1) : -1),
  };
}

const nullIfZero = (xs: number[]): Series => xs.map((x) => (x === 0 ? null : x));

function metrics(items: Attributed[], length: number, index: (ms: number) => number) {
  const out: Record<string, MetricValue | null> = {};
  for (const name of WEB_CONVERSION_METRICS) {
    const pv = new Array<number>(length).fill(0);
    const pe = new Array<number>(length).fill(0);
    let any = false;
    for (const a of items) {
      if (TAG_METRICS[a.tagType] !== name) continue;
      const i = index(a.at);
      if (i < 0) continue;
      any = true;
      const series = a.kind === 'post_view' ? pv : pe;
      series[i] = (series[i] ?? 0) + 1;
    }
    out[name] = any
      ? {
          metric: nullIfZero(pv.map((v, i) => v + (pe[i] ?? 0))),
          post_view: nullIfZero(pv),
          post_engagement: nullIfZero(pe),
        }
      : null;
  }
  return out;
}

/** The answer for a query over the account's attributed conversions. */
export function buildStats(
  q: StatsQuery,
  attributed: Attributed[],
  timezone: string,
  params: Record<string, string>,
): StatsBody {
  const b = bucketer(q, timezone);
  const inQuery = attributed.filter((a) => a.placement === q.placement && b.index(a.at) >= 0);
  const data = q.entityIds.map((id) => {
    const mine = inQuery.filter((a) => a.campaignId === id);
    if (q.segmentation === null) {
      return { id, id_data: [{ segment: null, metrics: metrics(mine, b.length, b.index) }] };
    }
    const byTag = new Map<string, Attributed[]>();
    for (const a of mine) byTag.set(a.tagId, [...(byTag.get(a.tagId) ?? []), a]);
    const idData = [...byTag.values()].map((items) => {
      const first = items[0] as Attributed;
      // The emulator's choice for the unconfirmed segment fields (docs/x-api.md §9).
      const segment = { segment_name: first.tagName, segment_value: first.tagId };
      return { segment, metrics: metrics(items, b.length, b.index) };
    });
    return { id, id_data: idData };
  });
  return { data_type: 'stats', time_series_length: b.length, data, request: { params } };
}
