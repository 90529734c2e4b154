/**
 * Delivered counts kept for reporting: per pixel, event tag and hour (of the
 * conversion time, UTC), how many conversions X acknowledged, with the first
 * and last delivery to the tag. Stores keep these after delivered rows are
 * purged, so `twclid-kit report` covers X's whole 45-day window for
 * segmented stats (docs/x-api.md §9) without keeping rows, and their
 * identifiers, that long.
 */
import { shortEventId } from './outbox.ts';
import type { CapiConversion } from './x-types.ts';

export const HOUR_MS = 3_600_000;

export interface DeliveredCount {
  pixelId: string;
  /** The short event ID (`o87ne`), the web event tag's ID. */
  eventId: string;
  /** Start of the UTC hour of the conversion time (epoch ms). */
  hour: number;
  count: number;
  /** First and last time X acknowledged a conversion of this bucket (epoch ms). */
  firstDeliveredAt: number;
  lastDeliveredAt: number;
}

export interface DeliveredCountsQuery {
  /** Only buckets whose hour starts at or after this instant. */
  since?: number;
  /** Only buckets whose hour starts before this instant. */
  until?: number;
  pixelId?: string;
}

/** The bucket of one conversion: its short event ID and conversion hour (falls back to `now`). */
export function deliveredBucket(
  conversion: Pick<CapiConversion, 'event_id' | 'conversion_time'>,
  now: number,
): { eventId: string; hour: number } {
  const at = Date.parse(conversion.conversion_time);
  const time = Number.isNaN(at) ? now : at;
  return { eventId: shortEventId(conversion.event_id), hour: Math.floor(time / HOUR_MS) * HOUR_MS };
}

/** An in-memory tally, for the memory store and tests. */
export function deliveredTally() {
  const buckets = new Map<string, DeliveredCount>();
  return {
    add(pixelId: string, conversion: CapiConversion, now: number): void {
      const { eventId, hour } = deliveredBucket(conversion, now);
      const key = `${pixelId}\u0000${eventId}\u0000${hour}`;
      const bucket = buckets.get(key);
      if (bucket) {
        bucket.count++;
        bucket.lastDeliveredAt = Math.max(bucket.lastDeliveredAt, now);
        bucket.firstDeliveredAt = Math.min(bucket.firstDeliveredAt, now);
      } else {
        buckets.set(key, {
          pixelId,
          eventId,
          hour,
          count: 1,
          firstDeliveredAt: now,
          lastDeliveredAt: now,
        });
      }
    },
    list(query: DeliveredCountsQuery = {}): DeliveredCount[] {
      return [...buckets.values()]
        .filter(
          (b) =>
            (query.since === undefined || b.hour >= query.since) &&
            (query.until === undefined || b.hour < query.until) &&
            (query.pixelId === undefined || b.pixelId === query.pixelId),
        )
        .sort((a, b) => a.hour - b.hour || a.eventId.localeCompare(b.eventId))
        .map((b) => ({ ...b }));
    },
  };
}
