/**
 * Conversion groups: how the ledger merges copies of one conversion the way X
 * deduplicates them [WC] (docs/x-api.md §5). Copies with the same pixel, event
 * and conversion_id within the window of the first copy join its group;
 * copies without a conversion_id each make a group of their own.
 */
import { conversionKey } from './event-key.ts';
import type { ConversionGroup, EventRecord, LedgerOptions, Verdict } from './ledger.ts';

export interface GroupBook {
  /** Sets the record's dedup status and group; returns whether it counted. */
  dedup(rec: EventRecord, now: number): 'counted' | 'deduplicated';
  groups(): Iterable<ConversionGroup>;
}

const verdictOf = (g: ConversionGroup): Verdict =>
  g.conversionId === null
    ? 'no_conversion_id'
    : g.pixel.length > 0 && g.capi.length > 0
      ? 'counted_once'
      : 'unmatched';

export function createGroupBook(options: LedgerOptions): GroupBook {
  const { dedupWindowMs, maxConversions } = options;
  const groups = new Map<string, ConversionGroup>();
  // Key → the counted copy's time and group, for keys still inside the window.
  const active = new Map<string, { firstAt: number; groupId: string }>();

  const pruneActive = (now: number) => {
    for (const [key, entry] of active) {
      if (entry.firstAt + dedupWindowMs >= now) break;
      active.delete(key);
    }
  };

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

  return {
    dedup(rec, now) {
      const pixelId = rec.pixelId as string;
      const eventKey = rec.eventKey as string;
      if (rec.conversionId === null) {
        rec.dedup = 'counted';
        rec.conversionGroupId = `${pixelId}/${eventKey}/#${rec.seq}`;
        attach(newGroup(rec, rec.conversionGroupId, now), rec);
        return 'counted';
      }
      pruneActive(now);
      const key = conversionKey(pixelId, eventKey, rec.conversionId);
      const hit = active.get(key);
      if (hit && now - hit.firstAt <= dedupWindowMs) {
        rec.dedup = 'deduplicated';
        rec.conversionGroupId = hit.groupId;
        attach(groups.get(hit.groupId), rec);
        return 'deduplicated';
      }
      const groupId = `${key}@${now}`;
      active.delete(key); // re-insert at the end so pruning stays in time order
      active.set(key, { firstAt: now, groupId });
      rec.dedup = 'counted';
      rec.conversionGroupId = groupId;
      attach(newGroup(rec, groupId, now), rec);
      return 'counted';
    },
    groups: () => groups.values(),
  };
}
