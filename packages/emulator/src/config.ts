/**
 * Emulator options and their resolution. Every ID and credential comes from
 * here (defaulting to EMULATOR_DEFAULTS); configuration is validated once at
 * start-up and errors name the offending field.
 */
import {
  type AnalyticsOptions,
  type AppAccessLevel,
  type CampaignOption,
  type ResolvedAnalytics,
  resolveAccount,
  resolveAnalytics,
  resolveEvent,
  type TagType,
} from './analytics/analytics-config.ts';
import { EmulatorConfigError } from './config-error.ts';
import { EMULATOR_DEFAULTS } from './defaults.ts';
import { parseEventId } from './event-key.ts';

export { EmulatorConfigError } from './config-error.ts';

/** Access levels of `authenticated_user_access` (X Ads API, campaign management reference). */
export type Permission =
  | 'ACCOUNT_ADMIN'
  | 'AD_MANAGER'
  | 'CREATIVE_MANAGER'
  | 'CAMPAIGN_ANALYST'
  | 'ANALYST'
  | 'PARTNER_AUDIENCE_MANAGER'
  | 'TWEET_COMPOSER';

export const PERMISSIONS: readonly Permission[] = [
  'ACCOUNT_ADMIN',
  'AD_MANAGER',
  'CREATIVE_MANAGER',
  'CAMPAIGN_ANALYST',
  'ANALYST',
  'PARTNER_AUDIENCE_MANAGER',
  'TWEET_COMPOSER',
];

/** Access levels allowed to send conversions (setup guide: "AD_MANAGER or ACCOUNT_ADMIN"). */
export const CONVERSION_PERMISSIONS: readonly Permission[] = ['ACCOUNT_ADMIN', 'AD_MANAGER'];

export interface EventOption {
  /** Base-36 event ID, e.g. `o87ne`. */
  id: string;
  /** Display name, e.g. `Purchase`. */
  name?: string;
  /** The web event tag's type (docs/x-api.md §9). Default CUSTOM (the demo events: PURCHASE, CUSTOM, SIGN_UP). */
  type?: TagType;
  /** Post-engagement attribution window, days: 1, 7, 14 or 30. Default 30. */
  clickWindow?: number;
  /** Post-view attribution window, days: 0, 1, 7, 14 or 30. Default 1. */
  viewThroughWindow?: number;
  /** A deleted tag is listed only `with_deleted=true`. Default false. */
  deleted?: boolean;
}
export type ResolvedEvent = EventOption & {
  name: string;
  type: TagType;
  clickWindow: number;
  viewThroughWindow: number;
  deleted: boolean;
};
export interface PixelOption {
  id: string;
  events: EventOption[];
}
export interface AccountOption {
  id: string;
  pixels: PixelOption[];
  name?: string;
  /** IANA time zone of the account's stats days. Default `analytics.timezone`. */
  timezone?: string;
  /** Campaigns stats are reported for. Default two seeded campaigns. */
  campaigns?: CampaignOption[];
}
export interface ConsumerOption {
  key: string;
  secret: string;
  /** The app's Ads API access. Default `standard`; `conversion_only` cannot read stats. */
  accessLevel?: AppAccessLevel;
}
/** An account as the analytics routes see it. */
export interface ResolvedAccount {
  id: string;
  name: string;
  timezone: string;
  campaigns: Required<CampaignOption>[];
}
export interface UserOption {
  id: string;
  screenName: string;
  /** Permissions per ad account ID. */
  access: Record<string, Permission[]>;
}
export interface TokenOption {
  token: string;
  secret: string;
  userId: string;
}
export interface PixelTokenOption {
  token: string;
  pixelId: string;
}

export interface EmulatorOptions {
  /** Ad accounts with their pixels and events. Default: the demo account, pixel and three events. */
  accounts?: AccountOption[];
  /** OAuth consumer (app) credentials. Default: the demo consumer key/secret. */
  consumers?: ConsumerOption[];
  /** Users and their access per account. Default: the demo user, ACCOUNT_ADMIN on the demo account. */
  users?: UserOption[];
  /** OAuth access tokens, each belonging to a user. Default: the demo access token. */
  tokens?: TokenOption[];
  /** `X-Pixel-Token` values, each for one pixel. Default: the demo pixel token (when the demo pixel is configured). */
  pixelTokens?: PixelTokenOption[];
  /** The user who approves `/oauth/authorize`. Default: the first user. */
  authorizingUserId?: string;
  /** Underlying clock in ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /** Largest accepted OAuth timestamp skew, seconds. Default 300. */
  oauthMaxSkewSeconds?: number;
  /** Events per ad account per rolling window. Default 60,000 (the strictest documented reading). */
  eventsPerWindow?: number;
  /** Requests per endpoint and user per rolling window (`x-rate-limit-*`). Default 100,000 (v12 reference). */
  requestsPerWindow?: number;
  /** Rate window, ms. Default 15 minutes. */
  rateWindowMs?: number;
  /** Pixel/CAPI deduplication window, ms. Default 48 hours [WC]. */
  dedupWindowMs?: number;
  /** HTTP status for an event ID that is not this pixel's: 404 (default) or 400. */
  unknownEventStatus?: 404 | 400;
  /** Received events kept for inspection (oldest dropped first; counts stay exact). Default 100,000. */
  maxEvents?: number;
  /** Conversion groups kept for inspection. Default 100,000. */
  maxConversions?: number;
  /** Largest accepted request body, bytes. Default 5 MB (500 conversions fit easily). */
  maxBodyBytes?: number;
  /** Initial fault injection (see FaultConfig). Default: no faults. */
  faults?: Record<string, unknown>;
  /** Tag health and stats: time zone, attribution, stats jobs (see AnalyticsOptions). */
  analytics?: AnalyticsOptions;
}

export interface ResolvedPixel {
  id: string;
  accountId: string;
  events: Map<string, ResolvedEvent>;
}

export interface ResolvedConfig {
  accounts: AccountOption[];
  pixels: Map<string, ResolvedPixel>;
  consumers: Map<string, string>;
  users: Map<string, UserOption>;
  tokens: Map<string, TokenOption>;
  pixelTokens: Map<string, string>;
  authorizingUserId: string;
  now: () => number;
  oauthMaxSkewSeconds: number;
  eventsPerWindow: number;
  requestsPerWindow: number;
  rateWindowMs: number;
  dedupWindowMs: number;
  unknownEventStatus: 404 | 400;
  maxEvents: number;
  maxConversions: number;
  maxBodyBytes: number;
  faults: Record<string, unknown> | undefined;
  /** Accounts by ID, with time zone and campaigns. */
  accountsById: Map<string, ResolvedAccount>;
  /** Each consumer key's access level. */
  consumerAccess: Map<string, AppAccessLevel>;
  analytics: ResolvedAnalytics;
}

/** The demo events' tag types. */
const DEFAULT_TYPES: Record<keyof typeof EMULATOR_DEFAULTS.events, TagType> = {
  purchase: 'PURCHASE',
  lead: 'CUSTOM',
  signUp: 'SIGN_UP',
};

function defaultAccounts(): AccountOption[] {
  const d = EMULATOR_DEFAULTS;
  const events = Object.entries(d.events).map(([key, e]) => ({
    ...e,
    type: DEFAULT_TYPES[key as keyof typeof DEFAULT_TYPES],
  }));
  return [{ id: d.accountId, name: 'twclid-kit demo', pixels: [{ id: d.pixelId, events }] }];
}

const positiveInt = (field: string, value: number | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw new EmulatorConfigError(field, `must be a positive integer (got ${String(value)})`);
  }
  return value;
};

const nonEmpty = (field: string, value: unknown): string => {
  if (typeof value !== 'string' || value === '') {
    throw new EmulatorConfigError(field, 'must be a non-empty string');
  }
  return value;
};

/** Validates options and fills defaults; throws EmulatorConfigError naming the field. */
export function resolveConfig(options: EmulatorOptions = {}): ResolvedConfig {
  const d = EMULATOR_DEFAULTS;
  const accounts = options.accounts ?? defaultAccounts();
  if (!Array.isArray(accounts) || accounts.length === 0) {
    throw new EmulatorConfigError('accounts', 'must be a non-empty array');
  }
  const analytics = resolveAnalytics(options.analytics);
  const pixels = new Map<string, ResolvedPixel>();
  const accountsById = new Map<string, ResolvedAccount>();
  accounts.forEach((account, ai) => {
    const id = nonEmpty(`accounts[${ai}].id`, account.id);
    if (accountsById.has(id))
      throw new EmulatorConfigError(`accounts[${ai}].id`, `duplicate account ${id}`);
    accountsById.set(id, resolveAccount(`accounts[${ai}]`, account, analytics));
    if (!Array.isArray(account.pixels)) {
      throw new EmulatorConfigError(`accounts[${ai}].pixels`, 'must be an array');
    }
    account.pixels.forEach((pixel, pi) => {
      const field = `accounts[${ai}].pixels[${pi}]`;
      const pid = nonEmpty(`${field}.id`, pixel.id);
      if (!/^[0-9a-z]{1,32}$/.test(pid)) {
        throw new EmulatorConfigError(`${field}.id`, `${pid} is not a base-36 pixel ID`);
      }
      if (pixels.has(pid)) throw new EmulatorConfigError(`${field}.id`, `duplicate pixel ${pid}`);
      const events = new Map<string, ResolvedEvent>();
      pixel.events.forEach((event, ei) => {
        const parsed = parseEventId(nonEmpty(`${field}.events[${ei}].id`, event.id));
        if (!parsed || parsed.pixelId !== undefined) {
          throw new EmulatorConfigError(
            `${field}.events[${ei}].id`,
            `${event.id} is not a base-36 event ID`,
          );
        }
        events.set(parsed.eventId, resolveEvent(`${field}.events[${ei}]`, event, parsed.eventId));
      });
      pixels.set(pid, { id: pid, accountId: id, events });
    });
  });

  const consumers = new Map<string, string>();
  const consumerAccess = new Map<string, AppAccessLevel>();
  (options.consumers ?? [{ key: d.consumerKey, secret: d.consumerSecret }]).forEach((c, i) => {
    const key = nonEmpty(`consumers[${i}].key`, c.key);
    consumers.set(key, nonEmpty(`consumers[${i}].secret`, c.secret));
    const level = c.accessLevel ?? 'standard';
    if (level !== 'standard' && level !== 'conversion_only') {
      throw new EmulatorConfigError(
        `consumers[${i}].accessLevel`,
        'must be standard or conversion_only',
      );
    }
    consumerAccess.set(key, level);
  });

  const users = new Map<string, UserOption>();
  const defaultUsers: UserOption[] = [
    {
      id: d.userId,
      screenName: d.screenName,
      access: { [d.accountId]: [...d.permissions] },
    },
  ];
  (options.users ?? defaultUsers).forEach((u, i) => {
    const id = nonEmpty(`users[${i}].id`, u.id);
    nonEmpty(`users[${i}].screenName`, u.screenName);
    for (const [accountId, perms] of Object.entries(u.access ?? {})) {
      for (const p of perms) {
        if (!PERMISSIONS.includes(p)) {
          throw new EmulatorConfigError(
            `users[${i}].access.${accountId}`,
            `unknown permission ${p}`,
          );
        }
      }
    }
    users.set(id, { ...u, access: { ...u.access } });
  });
  if (users.size === 0) throw new EmulatorConfigError('users', 'must hold at least one user');

  const tokens = new Map<string, TokenOption>();
  const defaultTokens: TokenOption[] = [
    { token: d.accessToken, secret: d.accessTokenSecret, userId: d.userId },
  ];
  (options.tokens ?? defaultTokens).forEach((t, i) => {
    nonEmpty(`tokens[${i}].token`, t.token);
    nonEmpty(`tokens[${i}].secret`, t.secret);
    if (!users.has(t.userId)) {
      throw new EmulatorConfigError(`tokens[${i}].userId`, `no user ${String(t.userId)} in users`);
    }
    tokens.set(t.token, { ...t });
  });

  const pixelTokens = new Map<string, string>();
  const defaultPixelTokens = pixels.has(d.pixelId)
    ? [{ token: d.pixelToken, pixelId: d.pixelId }]
    : [];
  (options.pixelTokens ?? defaultPixelTokens).forEach((t, i) => {
    nonEmpty(`pixelTokens[${i}].token`, t.token);
    if (!pixels.has(t.pixelId)) {
      throw new EmulatorConfigError(
        `pixelTokens[${i}].pixelId`,
        `no pixel ${String(t.pixelId)} in accounts`,
      );
    }
    pixelTokens.set(t.token, t.pixelId);
  });

  const authorizingUserId = options.authorizingUserId ?? (users.keys().next().value as string);
  if (!users.has(authorizingUserId)) {
    throw new EmulatorConfigError('authorizingUserId', `no user ${authorizingUserId} in users`);
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new EmulatorConfigError('now', 'must be a function returning epoch ms');
  }
  const unknownEventStatus = options.unknownEventStatus ?? 404;
  if (unknownEventStatus !== 404 && unknownEventStatus !== 400) {
    throw new EmulatorConfigError('unknownEventStatus', 'must be 404 or 400');
  }

  return {
    accounts,
    pixels,
    consumers,
    users,
    tokens,
    pixelTokens,
    authorizingUserId,
    now: options.now ?? Date.now,
    oauthMaxSkewSeconds: positiveInt('oauthMaxSkewSeconds', options.oauthMaxSkewSeconds, 300),
    eventsPerWindow: positiveInt('eventsPerWindow', options.eventsPerWindow, 60_000),
    requestsPerWindow: positiveInt('requestsPerWindow', options.requestsPerWindow, 100_000),
    rateWindowMs: positiveInt('rateWindowMs', options.rateWindowMs, 15 * 60_000),
    dedupWindowMs: positiveInt('dedupWindowMs', options.dedupWindowMs, 48 * 3_600_000),
    unknownEventStatus,
    maxEvents: positiveInt('maxEvents', options.maxEvents, 100_000),
    maxConversions: positiveInt('maxConversions', options.maxConversions, 100_000),
    maxBodyBytes: positiveInt('maxBodyBytes', options.maxBodyBytes, 5 * 1024 * 1024),
    faults: options.faults,
    accountsById,
    consumerAccess,
    analytics,
  };
}

export type EventLookup =
  | { ok: true; eventId: string }
  | { ok: false; reason: 'malformed' | 'not_found' | 'other_account' };

/** Resolves an event ID (either form) against a pixel. */
export function lookupEvent(
  config: ResolvedConfig,
  pixel: ResolvedPixel,
  raw: string,
): EventLookup {
  const parsed = parseEventId(raw);
  if (!parsed) return { ok: false, reason: 'malformed' };
  if (parsed.pixelId === undefined || parsed.pixelId === pixel.id) {
    if (pixel.events.has(parsed.eventId)) return { ok: true, eventId: parsed.eventId };
  }
  // Known elsewhere under another account: X says "event_id does not belong to provided account".
  for (const other of config.pixels.values()) {
    if (other.accountId === pixel.accountId) continue;
    if (parsed.pixelId !== undefined && parsed.pixelId !== other.id) continue;
    if (other.events.has(parsed.eventId)) return { ok: false, reason: 'other_account' };
  }
  return { ok: false, reason: 'not_found' };
}
