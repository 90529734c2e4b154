/**
 * The Postgres outbox's delivered counts (delivered-counts.ts): one row per
 * pixel, event tag and hour of conversion time, bumped in the transaction that
 * marks events delivered. A purge deletes events, never these rows, so
 * `twclid-kit report` covers X's 45 days (docs/x-api.md §9) without keeping
 * the events and their identifiers that long.
 */
import type * as Pg from 'pg';
import {
  type DeliveredCount,
  type DeliveredCountsQuery,
  deliveredBucket,
} from '../delivered-counts.ts';
import type { CapiConversion } from '../x-types.ts';
import type { Tables } from './schema.ts';

/** Schema version 2 (schema.ts). */
export function deliveredCountsDdl(t: Tables): string {
  return `
CREATE TABLE ${t.counts} (
  pixel_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  hour BIGINT NOT NULL,
  count BIGINT NOT NULL,
  first_delivered_at BIGINT NOT NULL,
  last_delivered_at BIGINT NOT NULL,
  PRIMARY KEY (pixel_id, event_id, hour)
);`;
}

/** Adds the events just marked delivered to their buckets (call inside that transaction). */
export async function recordDelivered(
  db: Pg.PoolClient,
  t: Tables,
  delivered: readonly { pixel_id: string; payload: string }[],
  now: number,
): Promise<void> {
  const buckets = new Map<string, { pixel: string; event: string; hour: number; n: number }>();
  for (const row of delivered) {
    const { eventId, hour } = deliveredBucket(JSON.parse(row.payload) as CapiConversion, now);
    const key = `${row.pixel_id} ${eventId} ${hour}`;
    const bucket = buckets.get(key);
    if (bucket) bucket.n++;
    else buckets.set(key, { pixel: row.pixel_id, event: eventId, hour, n: 1 });
  }
  if (buckets.size === 0) return;
  const all = [...buckets.values()];
  await db.query(
    `INSERT INTO ${t.counts} AS c
       SELECT p, e, h, n, $5, $5 FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) AS b(p, e, h, n)
     ON CONFLICT (pixel_id, event_id, hour) DO UPDATE SET count = c.count + EXCLUDED.count,
       first_delivered_at = LEAST(c.first_delivered_at, EXCLUDED.first_delivered_at),
       last_delivered_at = GREATEST(c.last_delivered_at, EXCLUDED.last_delivered_at)`,
    [
      all.map((b) => b.pixel),
      all.map((b) => b.event),
      all.map((b) => b.hour),
      all.map((b) => b.n),
      now,
    ],
  );
}

interface CountRow {
  pixel_id: string;
  event_id: string;
  hour: string;
  count: string;
  first_delivered_at: string;
  last_delivered_at: string;
}

export async function deliveredCountRows(
  db: Pg.Pool | Pg.PoolClient,
  t: Tables,
  query: DeliveredCountsQuery = {},
): Promise<DeliveredCount[]> {
  const { rows } = await db.query<CountRow>(
    `SELECT * FROM ${t.counts}
     WHERE ($1::bigint IS NULL OR hour >= $1) AND ($2::bigint IS NULL OR hour < $2)
       AND ($3::text IS NULL OR pixel_id = $3)
     ORDER BY hour, event_id, pixel_id`,
    [query.since ?? null, query.until ?? null, query.pixelId ?? null],
  );
  return rows.map((r) => ({
    pixelId: r.pixel_id,
    eventId: r.event_id,
    hour: Number(r.hour),
    count: Number(r.count),
    firstDeliveredAt: Number(r.first_delivered_at),
    lastDeliveredAt: Number(r.last_delivered_at),
  }));
}
