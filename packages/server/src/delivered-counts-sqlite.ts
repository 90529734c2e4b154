/**
 * The SQLite outbox's delivered counts (delivered-counts.ts): one row per
 * pixel, event tag and hour of conversion time, bumped in the transaction that
 * marks events delivered. `purgeDelivered` deletes events, never these rows,
 * so `twclid-kit report` covers X's 45 days (docs/x-api.md §9) without
 * keeping the events and their identifiers that long.
 */
import {
  type DeliveredCount,
  type DeliveredCountsQuery,
  deliveredBucket,
} from './delivered-counts.ts';
import type { SqliteDriver } from './sqlite-driver.ts';
import type { CapiConversion } from './x-types.ts';

/** Schema version 2 (sqlite-schema.ts). */
export const DELIVERED_COUNTS_DDL = `
CREATE TABLE IF NOT EXISTS outbox_delivered_counts (
  pixel_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  hour INTEGER NOT NULL,
  count INTEGER NOT NULL,
  first_delivered_at INTEGER NOT NULL,
  last_delivered_at INTEGER NOT NULL,
  PRIMARY KEY (pixel_id, event_id, hour)
);
`;

interface CountRow {
  pixel_id: string;
  event_id: string;
  hour: number;
  count: number;
  first_delivered_at: number;
  last_delivered_at: number;
}

export function deliveredCountsRows(db: SqliteDriver) {
  const eventOf = db.prepare<{ id: number }, { pixel_id: string; payload: string }>(
    'SELECT pixel_id, payload FROM outbox_events WHERE id = @id',
  );
  const bump = db.prepare(
    `INSERT INTO outbox_delivered_counts VALUES (@pixel, @event, @hour, 1, @now, @now)
     ON CONFLICT (pixel_id, event_id, hour) DO UPDATE SET count = count + 1,
       first_delivered_at = MIN(first_delivered_at, @now), last_delivered_at = MAX(last_delivered_at, @now)`,
  );
  const select = db.prepare<
    { since: number | null; until: number | null; pixel: string | null },
    CountRow
  >(
    `SELECT * FROM outbox_delivered_counts
     WHERE (@since IS NULL OR hour >= @since) AND (@until IS NULL OR hour < @until)
       AND (@pixel IS NULL OR pixel_id = @pixel)
     ORDER BY hour, event_id, pixel_id`,
  );
  return {
    /** Counts event `id`, just marked delivered, in its bucket (inside the same transaction). */
    record(id: number, now: number): void {
      const row = eventOf.get({ id });
      if (!row) return;
      const { eventId, hour } = deliveredBucket(JSON.parse(row.payload) as CapiConversion, now);
      bump.run({ pixel: row.pixel_id, event: eventId, hour, now });
    },
    list(query: DeliveredCountsQuery = {}): DeliveredCount[] {
      return select
        .all({
          since: query.since ?? null,
          until: query.until ?? null,
          pixel: query.pixelId ?? null,
        })
        .map((r) => ({
          pixelId: r.pixel_id,
          eventId: r.event_id,
          hour: r.hour,
          count: r.count,
          firstDeliveredAt: r.first_delivered_at,
          lastDeliveredAt: r.last_delivered_at,
        }));
    },
  };
}
