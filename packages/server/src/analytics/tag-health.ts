/**
 * Tag health (docs/x-api.md §9): each web event tag as X reports it, next to
 * the kit's first and last delivery to it. X's setup guide expects TRACKING
 * within 12–24 h of the first conversions, so a tag is flagged only once the
 * kit's first delivery is more than 24 h old.
 */
import type { DeliveredCount } from '../delivered-counts.ts';
import type { WebEventTag } from './x-reads.ts';

export const TAG_GRACE_MS = 24 * 3_600_000;

export interface TagHealth {
  id: string;
  /** `false` when X does not know the ID. */
  found: boolean;
  tag?: WebEventTag;
  delivered: number;
  firstDeliveryAt: number | null;
  lastDeliveryAt: number | null;
  /** Problems worth a look, in words; empty when none. */
  flags: string[];
}

/** Per tag ID: delivered total, first and last delivery. */
export function deliveriesByTag(
  counts: readonly DeliveredCount[],
): Map<string, { delivered: number; first: number; last: number }> {
  const byTag = new Map<string, { delivered: number; first: number; last: number }>();
  for (const c of counts) {
    const t = byTag.get(c.eventId);
    if (t) {
      t.delivered += c.count;
      t.first = Math.min(t.first, c.firstDeliveredAt);
      t.last = Math.max(t.last, c.lastDeliveredAt);
    } else {
      byTag.set(c.eventId, {
        delivered: c.count,
        first: c.firstDeliveredAt,
        last: c.lastDeliveredAt,
      });
    }
  }
  return byTag;
}

export function tagHealth(input: {
  ids: readonly string[];
  tags: readonly WebEventTag[];
  delivered: readonly DeliveredCount[];
  now: number;
}): TagHealth[] {
  const byId = new Map(input.tags.map((t) => [t.id, t]));
  const deliveries = deliveriesByTag(input.delivered);
  return input.ids.map((id) => {
    const tag = byId.get(id);
    const d = deliveries.get(id);
    const flags: string[] = [];
    if (!tag) flags.push('X does not know this tag ID (check the event ID in Events Manager)');
    else if (tag.deleted) flags.push('the tag is deleted in Events Manager');
    const settled = d !== undefined && input.now - d.first > TAG_GRACE_MS;
    if (tag && !tag.deleted && settled && d) {
      if (tag.status === 'UNVERIFIED') {
        flags.push('still UNVERIFIED more than 24 h after the first delivery');
      }
      const tracked = tag.lastTrackedAt ? Date.parse(tag.lastTrackedAt) : Number.NaN;
      if (Number.isNaN(tracked)) {
        flags.push('X has never tracked a conversion for it, though the kit delivered some');
      } else if (tracked < d.last - TAG_GRACE_MS) {
        flags.push("last_tracked_at is more than 24 h older than the kit's last delivery");
      }
    }
    const health: TagHealth = {
      id,
      found: tag !== undefined,
      delivered: d?.delivered ?? 0,
      firstDeliveryAt: d?.first ?? null,
      lastDeliveryAt: d?.last ?? null,
      flags,
    };
    if (tag) health.tag = tag;
    return health;
  });
}
