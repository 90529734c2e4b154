/**
 * The kit's options resolved once, at construction: defaults filled in one
 * place and every setting checked, failing with a `ConfigError` that names the
 * field (docs/product.md, Safety: configuration is validated at start-up).
 */
import { CLICK_COOKIE } from '@twclid-kit/browser/contract';
import type { BuildConversionOptions } from '../conversion.ts';
import {
  BODY_LIMIT_DEFAULT,
  CLICK_DAYS_DEFAULT,
  DEDUP_WINDOW_MIN_MS,
  DEDUP_WINDOW_MS_DEFAULT,
  IP_RATE_LIMIT_DEFAULT,
  IP_RATE_WINDOW_MS_DEFAULT,
} from '../defaults.ts';
import { defaultTimers, type Timers } from '../dispatcher.ts';
import { BROWSER_SHARE_DEFAULT } from '../dispatcher-share.ts';
import { ConfigError } from '../errors.ts';
import { consoleLogger } from '../logger.ts';
import type { OutboxStore } from '../outbox.ts';
import type { ClientIpOptions } from '../safety/client-ip.ts';
import { X_BUDGET_DEFAULT, X_BUDGET_WINDOW_MS_DEFAULT } from '../x-limits.ts';
import type { Logger } from '../x-types.ts';
import { BROWSER_BACKLOG_DEFAULT } from './browser-backlog.ts';
import {
  type ConversionSigner,
  createConversionSigner,
  SIGNING_SECRET_MIN_LENGTH,
} from './conversion-sig.ts';
import type { HealthDetails } from './health-route.ts';
import type { TwclidKitOptions } from './types.ts';

/** The click cookie the server writes: name, lifetime and (optional) domain. */
export interface ClickCookieSettings {
  name: string;
  days: number;
  domain: string | undefined;
}

/** `TwclidKitOptions` with every default applied and every check passed. */
export interface ResolvedKitOptions {
  pixelId: string;
  /** The ad account the rate budget and pauses are kept for (default: the pixel ID). */
  account: string;
  store: OutboxStore;
  now: () => number;
  logger: Logger;
  timers: Timers;
  dedupWindowMs: number;
  retainDeliveredMs: number | false;
  /** Request body limit in bytes. */
  maxBody: number;
  /** The per-IP request limit (`ipRateLimit`, or its deprecated alias `rateLimit`); `false` when off. */
  ipRateLimit: { limit: number; windowMs: number } | false;
  /** Whether `X-Forwarded-*` headers are trusted. */
  proxied: boolean;
  ipOptions: ClientIpOptions;
  respectGpc: boolean;
  cookie: ClickCookieSettings;
  buildOptions: BuildConversionOptions;
  honeypotField: string | undefined;
  /** Signs and verifies an app's own conversion IDs (`signingSecret`); none without a secret. */
  signer: ConversionSigner | undefined;
  events: readonly string[];
  allowedOrigins: readonly string[];
  health: boolean;
  /** What `GET /health` shows besides `{ status }` (health-route.ts). */
  healthDetails: HealthDetails;
  script: boolean;
  autoStart: boolean;
  /** The browser share of X's budget, 0 < share ≤ 1 (dispatcher-share.ts). */
  browserShare: number;
  /** Undelivered browser events at which `/events` answers 503 (browser-backlog.ts). */
  browserBacklog: number;
  /** X's budget as the kit sizes its own (`xBudget`; default 60,000 events / 15 min). */
  xBudget: { limit: number; windowMs: number };
}

function requireText(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(name, 'is required');
  }
  return value;
}

/** The shortest `healthDetails.token`: a random one of that length cannot be guessed. */
export const HEALTH_TOKEN_MIN_LENGTH = 16;

/** `healthDetails`, checked: a boolean, or a token of at least 16 characters. Default `false`. */
function resolveHealthDetails(details: unknown): HealthDetails {
  if (details === undefined || typeof details === 'boolean') return details ?? false;
  const token = (details as { token?: unknown } | null)?.token;
  if (typeof token !== 'string' || token.trim().length < HEALTH_TOKEN_MIN_LENGTH) {
    throw new ConfigError(
      'healthDetails',
      `must be true, false or { token } with a random token of at least ${HEALTH_TOKEN_MIN_LENGTH} characters`,
    );
  }
  return { token };
}

/** `eventSourceUrlParams`, checked: parameter names, each with at most a trailing `*`. */
function urlParams(params: unknown): readonly string[] {
  if (params === undefined) return [];
  const ok =
    Array.isArray(params) &&
    params.every(
      (p) => typeof p === 'string' && p !== '' && p !== '*' && !p.slice(0, -1).includes('*'),
    );
  if (!ok) {
    throw new ConfigError(
      'eventSourceUrlParams',
      "must be a list of query parameter names, a trailing * for a prefix (e.g. ['utm_*'])",
    );
  }
  return [...params];
}

/** The signer of `signingSecret`, checked: a string of at least 32 characters. */
function resolveSigner(secret: unknown): ConversionSigner | undefined {
  if (secret === undefined) return undefined;
  if (typeof secret !== 'string' || secret.length < SIGNING_SECRET_MIN_LENGTH) {
    throw new ConfigError(
      'signingSecret',
      `must be a random string of at least ${SIGNING_SECRET_MIN_LENGTH} characters (TWCLID_KIT_SIGNING_SECRET)`,
    );
  }
  return createConversionSigner(secret);
}

/** Checks the options and fills in the defaults; throws `ConfigError` naming the field. */
export function resolveKitOptions(options: TwclidKitOptions): ResolvedKitOptions {
  const pixelId = requireText(options.pixelId, 'pixelId');
  if (!options.store) {
    throw new ConfigError(
      'store',
      'is required: sqliteOutbox() from "@twclid-kit/server/sqlite" (durable) or memoryOutbox()',
    );
  }
  if (!options.client && !options.auth) {
    throw new ConfigError('auth', 'is required (OAuth 1.0a credentials or an X-Pixel-Token)');
  }
  const dedupWindowMs = options.dedupWindowMs ?? DEDUP_WINDOW_MS_DEFAULT;
  if (!(dedupWindowMs >= DEDUP_WINDOW_MIN_MS)) {
    throw new ConfigError(
      'dedupWindowMs',
      `must be at least 48 hours (${DEDUP_WINDOW_MIN_MS} ms), X's deduplication window; got ${dedupWindowMs}`,
    );
  }
  const retainDeliveredMs = options.retainDeliveredMs ?? dedupWindowMs;
  if (retainDeliveredMs !== false && !(retainDeliveredMs >= dedupWindowMs)) {
    throw new ConfigError(
      'retainDeliveredMs',
      `must be at least dedupWindowMs (${dedupWindowMs} ms): delivered events are the memory of the idempotency window`,
    );
  }
  const maxBody = options.bodyLimit ?? BODY_LIMIT_DEFAULT;
  if (!(Number.isInteger(maxBody) && maxBody > 0)) {
    throw new ConfigError('bodyLimit', 'must be a positive number of bytes');
  }
  const now = options.now ?? Date.now;
  // `rateLimit` is the deprecated name of `ipRateLimit`; the new name wins when both are given.
  const ipLimit = options.ipRateLimit ?? options.rateLimit;
  const ipRateLimit =
    ipLimit === false
      ? false
      : {
          limit: ipLimit?.limit ?? IP_RATE_LIMIT_DEFAULT,
          windowMs: ipLimit?.windowMs ?? IP_RATE_WINDOW_MS_DEFAULT,
        };
  const trustProxy = options.trustProxy ?? false;
  return {
    pixelId,
    account: options.adAccountId ?? pixelId,
    store: options.store,
    now,
    logger: options.logger ?? consoleLogger(),
    timers: options.timers ?? defaultTimers,
    dedupWindowMs,
    retainDeliveredMs,
    maxBody,
    ipRateLimit,
    proxied: trustProxy !== false && trustProxy !== 0,
    ipOptions: {
      trustProxy,
      ...(options.getIp ? { getIp: options.getIp } : {}),
      ...(options.getConnInfo ? { getConnInfo: options.getConnInfo } : {}),
    },
    respectGpc: options.respectGpc ?? true,
    cookie: {
      name: options.cookie?.name ?? CLICK_COOKIE,
      days: options.cookie?.days ?? CLICK_DAYS_DEFAULT,
      domain: options.cookie?.domain,
    },
    buildOptions: {
      pixelId,
      now,
      ...(options.defaultCountry ? { defaultCountry: options.defaultCountry } : {}),
      eventSourceUrlParams: urlParams(options.eventSourceUrlParams),
    },
    honeypotField: options.honeypotField,
    signer: resolveSigner(options.signingSecret),
    events: options.events ?? [],
    allowedOrigins: options.allowedOrigins ?? [],
    health: options.health ?? true,
    healthDetails: resolveHealthDetails(options.healthDetails),
    script: options.script ?? true,
    autoStart: options.autoStart ?? true,
    ...resolveBrowserBounds(options),
    xBudget: resolveXBudget(options),
  };
}

/**
 * `xBudget`, checked: a positive whole number of events per a positive window
 * (docs/x-api.md §2: X counts its budget per ad account over 15 minutes).
 */
function resolveXBudget(options: TwclidKitOptions): { limit: number; windowMs: number } {
  const given = options.xBudget;
  if (given === undefined) return { limit: X_BUDGET_DEFAULT, windowMs: X_BUDGET_WINDOW_MS_DEFAULT };
  if (options.budget !== undefined) {
    throw new ConfigError(
      'xBudget',
      'is given with budget: a budget carries its own limits, give one of them',
    );
  }
  if (typeof given !== 'object' || given === null) {
    throw new ConfigError(
      'xBudget',
      'must be { limit?, windowMs? } (e.g. { limit: 500, windowMs: 5000 })',
    );
  }
  const limit = given.limit ?? X_BUDGET_DEFAULT;
  const windowMs = given.windowMs ?? X_BUDGET_WINDOW_MS_DEFAULT;
  if (!(Number.isSafeInteger(limit) && limit > 0)) {
    throw new ConfigError(
      'xBudget',
      `limit must be a positive whole number of events; got ${String(limit)}`,
    );
  }
  if (!(Number.isSafeInteger(windowMs) && windowMs > 0)) {
    throw new ConfigError(
      'xBudget',
      `windowMs must be a positive whole number of ms; got ${String(windowMs)}`,
    );
  }
  return { limit, windowMs };
}

/** `browserShare` and `browserBacklog`, checked (docs/product.md "Safety (the server)"). */
function resolveBrowserBounds(options: TwclidKitOptions): {
  browserShare: number;
  browserBacklog: number;
} {
  const browserShare = options.browserShare ?? BROWSER_SHARE_DEFAULT;
  if (typeof browserShare !== 'number' || !(browserShare > 0 && browserShare <= 1)) {
    throw new ConfigError(
      'browserShare',
      `must be a number above 0 and at most 1 (the share of X's budget browser events may use); got ${String(browserShare)}`,
    );
  }
  const browserBacklog = options.browserBacklog ?? BROWSER_BACKLOG_DEFAULT;
  if (!(Number.isInteger(browserBacklog) && browserBacklog > 0)) {
    throw new ConfigError(
      'browserBacklog',
      `must be a positive whole number of events; got ${String(browserBacklog)}`,
    );
  }
  return { browserShare, browserBacklog };
}
