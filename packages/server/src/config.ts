/**
 * Configuration from environment variables (the names in docs/product.md, shared
 * by the route, the demo and the CLI). Everything is checked at start-up and a
 * problem fails with a `ConfigError` naming the variable, never at the first
 * request. Takes a plain record, so it runs without Node (`c.env` on Workers,
 * `Deno.env.toObject()`).
 */
import { DEFAULT_API_VERSION, DEFAULT_BASE_URL } from './client.ts';
import { ConfigError } from './errors.ts';
import { isPixelId } from './event-id.ts';
import { SIGNING_SECRET_MIN_LENGTH } from './kit/conversion-sig.ts';
import { X_BUDGET_WINDOW_MS_DEFAULT } from './x-limits.ts';
import type { XAuth } from './x-types.ts';

export interface TwclidKitConfig {
  /** `X_ADS_API_BASE_URL`, without a trailing slash. Default: `https://ads-api.x.com`. */
  baseUrl: string;
  /** `X_ADS_API_VERSION`. Default: `'12'`. */
  version: string;
  /** `X_PIXEL_ID`. Required. */
  pixelId: string;
  /** `X_AD_ACCOUNT_ID`, for the access-level check. Optional. */
  adAccountId?: string;
  /** From `X_CONSUMER_KEY` … `X_ACCESS_TOKEN_SECRET`, or `X_PIXEL_TOKEN`. Exactly one is required. */
  auth: XAuth;
  /** `TWCLID_KIT_DB`. Default: `./.twclid-kit/outbox.db`. */
  dbPath: string;
  /** `PORT`. Default: 3000. */
  port: number;
  /** `TWCLID_KIT_SIGNING_SECRET`, the kit's `signingSecret` (at least 32 characters). Optional. */
  signingSecret?: string;
  /**
   * `TWCLID_KIT_X_BUDGET`, the kit's `xBudget`: `<events>` per 15 minutes or
   * `<events>/<duration>` (`500/5s`, `60000/15m`). Optional (the kit's default is
   * X's 60,000 / 15 min).
   */
  xBudget?: { limit: number; windowMs: number };
}

export const DEFAULT_DB_PATH = './.twclid-kit/outbox.db';
export const DEFAULT_PORT = 3000;

const OAUTH_VARIABLES = [
  'X_CONSUMER_KEY',
  'X_CONSUMER_SECRET',
  'X_ACCESS_TOKEN',
  'X_ACCESS_TOKEN_SECRET',
] as const;

type Env = Readonly<Record<string, string | undefined>>;

function processEnv(): Env {
  const process = (globalThis as { process?: { env?: Env } }).process;
  return process?.env ?? {};
}

/**
 * Reads and checks the configuration.
 *
 * @throws {ConfigError} naming the variable that is missing, malformed or contradicts another.
 * @example
 * const config = configFromEnv(); // or configFromEnv(c.env) on an edge runtime
 * const client = createXClient(config);
 */
export function configFromEnv(env: Env = processEnv()): TwclidKitConfig {
  // Empty means unset: `X_PIXEL_TOKEN=` in a .env file must not count as a token.
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };

  const rawBaseUrl = read('X_ADS_API_BASE_URL') ?? DEFAULT_BASE_URL;
  let url: URL;
  try {
    url = new URL(rawBaseUrl);
  } catch {
    throw new ConfigError('X_ADS_API_BASE_URL', `"${rawBaseUrl}" is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError('X_ADS_API_BASE_URL', 'must be an http(s) URL');
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new ConfigError(
      'X_ADS_API_BASE_URL',
      'must be an origin (and optional path) without query, fragment or credentials',
    );
  }
  const baseUrl = url.href.replace(/\/+$/, '');

  const version = read('X_ADS_API_VERSION') ?? DEFAULT_API_VERSION;
  if (!/^\d{1,4}$/.test(version)) {
    throw new ConfigError('X_ADS_API_VERSION', `"${version}" is not a version number such as 12`);
  }

  const pixelId = read('X_PIXEL_ID');
  if (pixelId === undefined) {
    throw new ConfigError(
      'X_PIXEL_ID',
      'is required (the pixel ID from Events Manager, e.g. o8z6j)',
    );
  }
  if (!isPixelId(pixelId)) {
    throw new ConfigError(
      'X_PIXEL_ID',
      `"${pixelId}" is not a pixel ID (lowercase letters and digits, e.g. o8z6j; not the tw-… event tag)`,
    );
  }

  const adAccountId = read('X_AD_ACCOUNT_ID');
  if (adAccountId !== undefined && !/^[a-z0-9]{1,32}$/.test(adAccountId)) {
    throw new ConfigError(
      'X_AD_ACCOUNT_ID',
      `"${adAccountId}" is not an ad account ID (lowercase letters and digits, e.g. 18ce552mlaq)`,
    );
  }

  const oauthSet = OAUTH_VARIABLES.filter((name) => read(name) !== undefined);
  const pixelToken = read('X_PIXEL_TOKEN');
  let auth: XAuth;
  if (pixelToken !== undefined && oauthSet.length > 0) {
    throw new ConfigError(
      'X_PIXEL_TOKEN',
      `is set together with ${oauthSet.join(', ')}: configure either X_PIXEL_TOKEN or the four OAuth variables, not both`,
    );
  }
  if (pixelToken !== undefined) {
    auth = { kind: 'pixel-token', token: pixelToken };
  } else if (oauthSet.length === 0) {
    throw new ConfigError(
      'X_PIXEL_TOKEN',
      'no credentials: set X_PIXEL_TOKEN, or X_CONSUMER_KEY, X_CONSUMER_SECRET, X_ACCESS_TOKEN and X_ACCESS_TOKEN_SECRET',
    );
  } else {
    const missing = OAUTH_VARIABLES.find((name) => read(name) === undefined);
    if (missing !== undefined) {
      throw new ConfigError(
        missing,
        `is missing: OAuth 1.0a needs all of ${OAUTH_VARIABLES.join(', ')}`,
      );
    }
    auth = {
      kind: 'oauth1',
      consumerKey: read('X_CONSUMER_KEY') as string,
      consumerSecret: read('X_CONSUMER_SECRET') as string,
      accessToken: read('X_ACCESS_TOKEN') as string,
      accessTokenSecret: read('X_ACCESS_TOKEN_SECRET') as string,
    };
  }

  const rawPort = read('PORT');
  const port = rawPort === undefined ? DEFAULT_PORT : Number(rawPort);
  if (rawPort !== undefined && (!/^\d{1,5}$/.test(rawPort) || port > 65_535)) {
    throw new ConfigError('PORT', `"${rawPort}" is not a port number (0 to 65535)`);
  }

  const config: TwclidKitConfig = {
    baseUrl,
    version,
    pixelId,
    auth,
    dbPath: read('TWCLID_KIT_DB') ?? DEFAULT_DB_PATH,
    port,
  };
  if (adAccountId !== undefined) config.adAccountId = adAccountId;
  const signingSecret = read('TWCLID_KIT_SIGNING_SECRET');
  if (signingSecret !== undefined && signingSecret.length < SIGNING_SECRET_MIN_LENGTH) {
    throw new ConfigError(
      'TWCLID_KIT_SIGNING_SECRET',
      `must be a random string of at least ${SIGNING_SECRET_MIN_LENGTH} characters`,
    );
  }
  if (signingSecret !== undefined) config.signingSecret = signingSecret;
  const xBudget = read('TWCLID_KIT_X_BUDGET');
  if (xBudget !== undefined) config.xBudget = parseXBudget(xBudget);
  return config;
}

const DURATION_UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/**
 * `TWCLID_KIT_X_BUDGET`: `<events>` (per X's 15 minutes, docs/x-api.md §2) or
 * `<events>/<duration>`, the duration a whole number with `ms`, `s`, `m` or `h`.
 */
function parseXBudget(raw: string): { limit: number; windowMs: number } {
  const match = /^(\d{1,9})(?:\/(\d{1,9})(ms|s|m|h))?$/.exec(raw);
  const limit = Number(match?.[1]);
  const unit = match?.[3] as keyof typeof DURATION_UNIT_MS | undefined;
  const windowMs = unit ? Number(match?.[2]) * DURATION_UNIT_MS[unit] : X_BUDGET_WINDOW_MS_DEFAULT;
  if (!match || !(limit > 0) || !(windowMs > 0)) {
    throw new ConfigError(
      'TWCLID_KIT_X_BUDGET',
      `"${raw}" is not an event budget: <events> or <events>/<duration> with a positive count and duration, e.g. 60000/15m or 500/5s`,
    );
  }
  return { limit, windowMs };
}
