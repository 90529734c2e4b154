/**
 * Parameters of the stats endpoints, checked the way docs/x-api.md §9 states
 * them: entity, at most 20 entity_ids, whole-hour ISO 8601 times (end
 * exclusive) within the span the endpoint allows, DAY aligned to midnight in
 * the account's time zone, WEB_CONVERSION, one placement. Each refusal names
 * its parameter.
 */
import type { ResolvedAccount } from '../config.ts';
import type { XError } from '../conversion-rules.ts';
import { isLocalMidnight } from './time-zone.ts';

export type Granularity = 'DAY' | 'HOUR' | 'TOTAL';
export const PLACEMENTS = ['ALL_ON_TWITTER', 'PUBLISHER_NETWORK', 'SPOTLIGHT', 'TREND'] as const;
export type Placement = (typeof PLACEMENTS)[number];

export interface StatsQuery {
  entity: 'CAMPAIGN';
  entityIds: string[];
  start: number;
  end: number;
  granularity: Granularity;
  placement: Placement;
  segmentation: 'CONVERSION_TAGS' | null;
}

export type ParsedStats = { ok: true; query: StatsQuery } | { ok: false; error: XError };

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MAX_ENTITY_IDS = 20;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const ENTITIES = ['ACCOUNT', 'CAMPAIGN', 'FUNDING_INSTRUMENT', 'LINE_ITEM', 'PROMOTED_TWEET'];

const invalid = (parameter: string, message: string): { ok: false; error: XError } => ({
  ok: false,
  error: { code: 'INVALID_PARAMETER', message, parameter },
});
const missing = (parameter: string): { ok: false; error: XError } => ({
  ok: false,
  error: { code: 'MISSING_PARAMETER', message: `${parameter} is required`, parameter },
});

/** Longest span in days: 7 synchronous; 45 segmented and 90 unsegmented for jobs. */
function maxDays(mode: 'sync' | 'job', segmented: boolean): number {
  if (mode === 'sync') return 7;
  return segmented ? 45 : 90;
}

function parseTime(
  params: Record<string, string>,
  name: string,
): number | { ok: false; error: XError } {
  const raw = params[name];
  if (raw === undefined || raw === '') return missing(name);
  const ms = ISO_TIME.test(raw) ? Date.parse(raw) : Number.NaN;
  if (!Number.isFinite(ms)) return invalid(name, `${name} (${raw}) must be an ISO 8601 time`);
  if (ms % HOUR_MS !== 0) return invalid(name, `${name} (${raw}) must be a whole hour`);
  return ms;
}

function parseEntity(params: Record<string, string>, account: ResolvedAccount) {
  const entity = params.entity;
  if (!entity) return missing('entity');
  if (!ENTITIES.includes(entity))
    return invalid('entity', `entity (${entity}) is not an entity type`);
  if (entity !== 'CAMPAIGN') {
    return invalid(
      'entity',
      `entity ${entity}: the emulator reports WEB_CONVERSION for CAMPAIGN only`,
    );
  }
  const raw = params.entity_ids;
  if (!raw) return missing('entity_ids');
  const ids = raw.split(',').map((s) => s.trim());
  if (ids.length > MAX_ENTITY_IDS || ids.some((id) => id === '')) {
    return invalid('entity_ids', `entity_ids must list 1 to ${MAX_ENTITY_IDS} ids`);
  }
  const unknown = ids.find((id) => !account.campaigns.some((c) => c.id === id));
  if (unknown !== undefined) {
    return invalid(
      'entity_ids',
      `entity_ids: ${unknown} is not a campaign of account ${account.id}`,
    );
  }
  return { ok: true as const, ids };
}

function parseOptions(params: Record<string, string>, mode: 'sync' | 'job') {
  const granularity = params.granularity;
  if (!granularity) return missing('granularity');
  if (!['DAY', 'HOUR', 'TOTAL'].includes(granularity)) {
    return invalid('granularity', 'granularity must be DAY, HOUR or TOTAL');
  }
  const groups = params.metric_groups;
  if (!groups) return missing('metric_groups');
  if (groups !== 'WEB_CONVERSION') {
    return invalid(
      'metric_groups',
      'metric_groups: the emulator serves WEB_CONVERSION (asked for alone)',
    );
  }
  const placement = params.placement;
  if (!placement) return missing('placement');
  if (!(PLACEMENTS as readonly string[]).includes(placement)) {
    return invalid('placement', `placement must be one of ${PLACEMENTS.join(', ')}`);
  }
  const seg = params.segmentation_type;
  if (seg !== undefined && mode === 'sync') {
    return invalid('segmentation_type', 'segmentation_type is for stats jobs only');
  }
  if (seg !== undefined && seg !== 'CONVERSION_TAGS') {
    return invalid('segmentation_type', 'segmentation_type: the emulator serves CONVERSION_TAGS');
  }
  return {
    ok: true as const,
    granularity: granularity as Granularity,
    placement: placement as Placement,
    segmentation: seg === undefined ? null : ('CONVERSION_TAGS' as const),
  };
}

export function parseStatsQuery(
  params: Record<string, string>,
  account: ResolvedAccount,
  mode: 'sync' | 'job',
): ParsedStats {
  const entity = parseEntity(params, account);
  if (!entity.ok) return entity;
  const opts = parseOptions(params, mode);
  if (!opts.ok) return opts;
  const start = parseTime(params, 'start_time');
  if (typeof start !== 'number') return start;
  const end = parseTime(params, 'end_time');
  if (typeof end !== 'number') return end;
  if (end <= start) return invalid('end_time', 'end_time must be after start_time');
  const days = maxDays(mode, opts.segmentation !== null);
  // One hour more for a span of whole local days across a daylight-saving change.
  const slack = opts.granularity === 'DAY' ? HOUR_MS : 0;
  if (end - start > days * DAY_MS + slack) {
    return invalid('end_time', `end_time may be at most ${days} days after start_time`);
  }
  if (opts.granularity === 'DAY') {
    for (const [name, ms] of [
      ['start_time', start],
      ['end_time', end],
    ] as const) {
      if (!isLocalMidnight(ms, account.timezone)) {
        return invalid(
          name,
          `${name} must be midnight in the account's time zone (${account.timezone}) for DAY granularity`,
        );
      }
    }
  }
  return {
    ok: true,
    query: {
      entity: 'CAMPAIGN',
      entityIds: entity.ids,
      start,
      end,
      granularity: opts.granularity,
      placement: opts.placement,
      segmentation: opts.segmentation,
    },
  };
}
