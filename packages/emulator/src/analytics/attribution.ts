/**
 * Which counted conversions the emulator "attributes" to an ad (docs/x-api.md
 * §9): a configured share, each decided by the seeded PRNG from the
 * conversion group's ID, so the same conversions give the same figures on
 * every read and every run. Real X attributes only conversions it matched
 * to a person and an ad; the share stands in for that.
 */
import type { ResolvedEvent } from '../config.ts';
import type { EmulatorContext } from '../emulator-context.ts';
import type { ConversionGroup } from '../ledger.ts';
import { mulberry32 } from '../prng.ts';

export type AttributionKind = 'post_engagement' | 'post_view';

export interface Attributed {
  groupId: string;
  accountId: string;
  pixelId: string;
  tagId: string;
  tagName: string;
  /** The tag's type (its WEB_CONVERSION metric). */
  tagType: ResolvedEvent['type'];
  campaignId: string;
  placement: 'ALL_ON_TWITTER';
  kind: AttributionKind;
  /** The conversion's time (ms): CAPI's conversion_time, else the first copy's arrival. */
  at: number;
}

/** FNV-1a, 32 bits: spreads group IDs into PRNG seeds. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function conversionTime(g: ConversionGroup): number {
  for (const rec of [...g.capi, ...g.pixel]) {
    const t = rec.conversionTime ? Date.parse(rec.conversionTime) : Number.NaN;
    if (Number.isFinite(t)) return t;
  }
  return Date.parse(g.firstSeenAt);
}

/** The attribution of one group, or null when the draw leaves it unattributed. */
function attribute(ctx: EmulatorContext, g: ConversionGroup): Attributed | null {
  const { analytics, pixels, accountsById } = ctx.config;
  const pixel = pixels.get(g.pixelId);
  const event = pixel?.events.get(g.eventId) as ResolvedEvent | undefined;
  const campaigns = pixel ? (accountsById.get(pixel.accountId)?.campaigns ?? []) : [];
  if (!pixel || !event || campaigns.length === 0) return null;
  const draw = mulberry32((analytics.seed ^ fnv1a(g.id)) >>> 0);
  if (draw() >= analytics.attributionShare) return null;
  const kind: AttributionKind = draw() < analytics.postViewShare ? 'post_view' : 'post_engagement';
  const campaign = campaigns[Math.floor(draw() * campaigns.length)] ?? campaigns[0];
  return {
    groupId: g.id,
    accountId: pixel.accountId,
    pixelId: pixel.id,
    tagId: event.id,
    tagName: event.name,
    tagType: event.type,
    campaignId: (campaign as { id: string }).id,
    placement: 'ALL_ON_TWITTER',
    kind,
    at: conversionTime(g),
  };
}

/** Every attributed conversion of an account (all accounts without one). */
export function attributedConversions(ctx: EmulatorContext, accountId?: string): Attributed[] {
  const out: Attributed[] = [];
  for (const g of ctx.ledger.conversions()) {
    const a = attribute(ctx, g);
    if (a && (accountId === undefined || a.accountId === accountId)) out.push(a);
  }
  return out;
}
