/**
 * Sums X's stats answers (docs/x-api.md §9): `data[].id_data[].{segment,
 * metrics}`, each WEB_CONVERSION metric an object whose `post_engagement` and
 * `post_view` keys hold one value per time bucket (`null` meaning zero).
 *
 * What `segment` holds for `segmentation_type=CONVERSION_TAGS` is not
 * documented (docs/x-api.md §9): the tag ID is matched against both
 * `segment_name` and `segment_value`.
 */
import type { StatsBody } from './x-reads.ts';

/** Attributed conversions per bucket. */
export interface Attributed {
  postEngagement: number[];
  postView: number[];
}

export function emptyAttributed(buckets: number): Attributed {
  return { postEngagement: Array(buckets).fill(0), postView: Array(buckets).fill(0) };
}

function addSeries(into: number[], series: unknown): void {
  if (!Array.isArray(series)) return;
  series.forEach((value, i) => {
    const n = typeof value === 'string' ? Number(value) : value;
    if (i < into.length && typeof n === 'number' && Number.isFinite(n))
      into[i] = (into[i] as number) + n;
  });
}

function addMetric(into: Attributed, metric: unknown): void {
  if (metric === null || typeof metric !== 'object') return;
  const m = metric as Record<string, unknown>;
  addSeries(into.postEngagement, m.post_engagement);
  addSeries(into.postView, m.post_view);
}

/** Which of the given tag IDs a segment names, if any. */
export function segmentTag(
  segment: { segment_name?: string | null; segment_value?: string | null } | null | undefined,
  tagIds: ReadonlySet<string>,
): string | undefined {
  if (!segment) return undefined;
  for (const candidate of [segment.segment_value, segment.segment_name]) {
    if (typeof candidate !== 'string') continue;
    const id = candidate.trim();
    if (tagIds.has(id)) return id;
    // `tw-<pixel>-<tag>` is the same tag (docs/x-api.md §1).
    const short = /^tw-[^-]+-(.+)$/.exec(id)?.[1];
    if (short && tagIds.has(short)) return short;
  }
  return undefined;
}

/**
 * Adds a CONVERSION_TAGS-segmented answer into `byTag` (tag ID → sums), over
 * every WEB_CONVERSION metric of each segment. Segments naming no known tag
 * are counted in `unmatched` so the caller can say so.
 */
export function addTagSegments(
  body: StatsBody,
  byTag: Map<string, Attributed>,
  buckets: number,
): { unmatched: number } {
  const tagIds = new Set(byTag.keys());
  let unmatched = 0;
  for (const entity of body.data ?? []) {
    for (const row of entity.id_data ?? []) {
      const tag = segmentTag(row.segment, tagIds);
      if (tag === undefined) {
        if (row.segment) unmatched++;
        continue;
      }
      let sums = byTag.get(tag);
      if (!sums) {
        sums = emptyAttributed(buckets);
        byTag.set(tag, sums);
      }
      for (const metric of Object.values(row.metrics ?? {})) addMetric(sums, metric);
    }
  }
  return { unmatched };
}

/** Adds an unsegmented answer into `byMetric` (metric name → sums), for `--quick`. */
export function addMetricTotals(
  body: StatsBody,
  byMetric: Map<string, Attributed>,
  buckets: number,
): void {
  for (const entity of body.data ?? []) {
    for (const row of entity.id_data ?? []) {
      for (const [name, metric] of Object.entries(row.metrics ?? {})) {
        let sums = byMetric.get(name);
        if (!sums) {
          sums = emptyAttributed(buckets);
          byMetric.set(name, sums);
        }
        addMetric(sums, metric);
      }
    }
  }
}

/** The WEB_CONVERSION metric that counts a tag type (docs/x-api.md §9), for `--quick`. */
export const METRIC_FOR_TYPE: Readonly<Record<string, string>> = {
  PURCHASE: 'conversion_purchases',
  SIGN_UP: 'conversion_sign_ups',
  SITE_VISIT: 'conversion_site_visits',
  DOWNLOAD: 'conversion_downloads',
  CUSTOM: 'conversion_custom',
  ADD_TO_CART: 'conversion_add_to_carts',
  CHECKOUT_INITIATED: 'conversion_checkouts_initiated',
  CONTENT_VIEW: 'conversion_content_views',
};
