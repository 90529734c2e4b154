/**
 * Options of the analytics side (docs/x-api.md §9): each account's time zone
 * and campaigns, each event's web event tag fields, the apps' access levels,
 * and how the emulator "attributes" conversions and runs stats jobs.
 * Resolved once at start-up; errors name the option.
 */
import type { AccountOption, EventOption, ResolvedAccount, ResolvedEvent } from '../config.ts';
import { EmulatorConfigError } from '../config-error.ts';

/** Web event tag types (docs/x-api.md §9) and the WEB_CONVERSION metric each one counts in. */
export const TAG_METRICS = {
  PURCHASE: 'conversion_purchases',
  SIGN_UP: 'conversion_sign_ups',
  SITE_VISIT: 'conversion_site_visits',
  DOWNLOAD: 'conversion_downloads',
  CUSTOM: 'conversion_custom',
  ADD_TO_CART: 'conversion_add_to_carts',
  CHECKOUT_INITIATED: 'conversion_checkouts_initiated',
  CONTENT_VIEW: 'conversion_content_views',
} as const;
export type TagType = keyof typeof TAG_METRICS;
export const WEB_CONVERSION_METRICS = Object.values(TAG_METRICS);

/** `standard` may read stats; `conversion_only` may send conversions but not read stats (§9). */
export type AppAccessLevel = 'standard' | 'conversion_only';

export interface CampaignOption {
  /** Base-36 campaign ID, e.g. `8wku2`. */
  id: string;
  name?: string;
}

export interface AnalyticsOptions {
  /** Time zone of accounts that name none. Default `America/Los_Angeles`. */
  timezone?: string;
  /** Share (0..1) of counted conversions the emulator attributes to a campaign. Default 0.5. */
  attributionShare?: number;
  /** Share (0..1) of attributed conversions that are post-view (the rest post-engagement). Default 0.25. */
  postViewShare?: number;
  /** Seed of the attribution draws. Default 1. */
  seed?: number;
  /** Polls that include a job before it reports SUCCESS (0 = time alone decides). Default 2. */
  jobPolls?: number;
  /** Emulator-clock ms after creation before a job may report SUCCESS. Default 0. */
  jobDelayMs?: number;
  /** Jobs processing at once per account before `TOO_MANY_JOBS`. Default 100. */
  maxProcessingJobs?: number;
  /** Synchronous stats requests per user per rate window. Default 250. */
  statsRequestsPerWindow?: number;
  /** First downloads of each job result answered 404 (the file lagging the status). Default 0. */
  resultLagRequests?: number;
}

export type ResolvedAnalytics = Required<AnalyticsOptions>;

/** Campaigns an account without its own gets. */
export const DEFAULT_CAMPAIGNS: readonly CampaignOption[] = [
  { id: '8wku2', name: 'Spring sale' },
  { id: '8wku3', name: 'Retargeting' },
];

const share = (field: string, value: number | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new EmulatorConfigError(field, `must be a number from 0 to 1 (got ${String(value)})`);
  }
  return value;
};

const count = (field: string, value: number | undefined, fallback: number, min = 0): number => {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new EmulatorConfigError(field, `must be an integer ≥ ${min} (got ${String(value)})`);
  }
  return value;
};

/** Throws EmulatorConfigError unless `tz` is an IANA time zone this runtime knows. */
export function checkTimeZone(field: string, tz: unknown): string {
  if (typeof tz !== 'string' || tz === '') {
    throw new EmulatorConfigError(field, 'must be an IANA time zone such as Europe/Paris');
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new EmulatorConfigError(field, `${tz} is not a known IANA time zone`);
  }
  return tz;
}

export function checkTagType(field: string, type: unknown): TagType {
  if (typeof type !== 'string' || !Object.hasOwn(TAG_METRICS, type)) {
    throw new EmulatorConfigError(
      field,
      `must be one of ${Object.keys(TAG_METRICS).join(', ')} (got ${String(type)})`,
    );
  }
  return type as TagType;
}

/** Validates a campaign list (IDs base-36, unique). */
export function checkCampaigns(field: string, campaigns: unknown): CampaignOption[] {
  if (!Array.isArray(campaigns)) throw new EmulatorConfigError(field, 'must be an array');
  const seen = new Set<string>();
  return campaigns.map((c: CampaignOption, i) => {
    if (typeof c?.id !== 'string' || !/^[0-9a-z]{1,32}$/.test(c.id)) {
      throw new EmulatorConfigError(`${field}[${i}].id`, 'must be a base-36 campaign ID');
    }
    if (seen.has(c.id)) throw new EmulatorConfigError(`${field}[${i}].id`, `duplicate ${c.id}`);
    seen.add(c.id);
    return { id: c.id, name: c.name ?? `Campaign ${c.id}` };
  });
}

export function resolveAnalytics(options: AnalyticsOptions = {}): ResolvedAnalytics {
  const f = (name: string) => `analytics.${name}`;
  return {
    timezone: checkTimeZone(f('timezone'), options.timezone ?? 'America/Los_Angeles'),
    attributionShare: share(f('attributionShare'), options.attributionShare, 0.5),
    postViewShare: share(f('postViewShare'), options.postViewShare, 0.25),
    seed: count(f('seed'), options.seed, 1),
    jobPolls: count(f('jobPolls'), options.jobPolls, 2),
    jobDelayMs: count(f('jobDelayMs'), options.jobDelayMs, 0),
    maxProcessingJobs: count(f('maxProcessingJobs'), options.maxProcessingJobs, 100, 1),
    statsRequestsPerWindow: count(
      f('statsRequestsPerWindow'),
      options.statsRequestsPerWindow,
      250,
      1,
    ),
    resultLagRequests: count(f('resultLagRequests'), options.resultLagRequests, 0),
  };
}

export function resolveEvent(field: string, event: EventOption, eventId: string): ResolvedEvent {
  const clickWindow = event.clickWindow ?? 30;
  if (![1, 7, 14, 30].includes(clickWindow)) {
    throw new EmulatorConfigError(`${field}.clickWindow`, 'must be 1, 7, 14 or 30');
  }
  const viewThroughWindow = event.viewThroughWindow ?? 1;
  if (![0, 1, 7, 14, 30].includes(viewThroughWindow)) {
    throw new EmulatorConfigError(`${field}.viewThroughWindow`, 'must be 0, 1, 7, 14 or 30');
  }
  return {
    ...event,
    id: eventId,
    name: event.name ?? eventId,
    type: checkTagType(`${field}.type`, event.type ?? 'CUSTOM'),
    clickWindow,
    viewThroughWindow,
    deleted: event.deleted === true,
  };
}

export function resolveAccount(
  field: string,
  account: AccountOption,
  analytics: ResolvedAnalytics,
): ResolvedAccount {
  return {
    id: account.id,
    name: account.name ?? `Account ${account.id}`,
    timezone: checkTimeZone(`${field}.timezone`, account.timezone ?? analytics.timezone),
    campaigns: checkCampaigns(`${field}.campaigns`, account.campaigns ?? DEFAULT_CAMPAIGNS),
  } as ResolvedAccount;
}
