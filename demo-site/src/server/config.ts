/**
 * The demo's configuration: the kit's own environment variables (docs/product.md)
 * plus a few demo-only ones. Everything is checked at start-up; a problem names
 * the variable.
 */
import { EMULATOR_DEFAULTS } from '@twclid-kit/emulator';
import { ConfigError, configFromEnv, type TwclidKitConfig } from '@twclid-kit/server';

type Env = Readonly<Record<string, string | undefined>>;

export interface DemoEvents {
  purchase: string;
  lead: string;
  signup: string;
}

export interface DemoConfig {
  /** `HOST`: interface the demo listens on. Default `127.0.0.1`. */
  host: string;
  /** `PORT`. Default 3000. */
  port: number;
  /** `TWCLID_KIT_DB`: the SQLite outbox. Default `./.twclid-kit/outbox.db`. */
  dbPath: string;
  /** `DEMO_FLUSH_INTERVAL_MS`: how often the outbox flushes. Default 250. */
  flushIntervalMs: number;
  /** `DEMO_REPORT_REFRESH_MS`: how often the "Did X count it?" panel re-reads X. Default 30 000. */
  xCountedRefreshMs?: number;
  /** `DEMO_EVENT_PURCHASE`, `DEMO_EVENT_LEAD`, `DEMO_EVENT_SIGNUP`: the pixel's event IDs. */
  events: DemoEvents;
  /**
   * Where conversions go: a local emulator the demo starts (no `X_ADS_API_BASE_URL`),
   * or the endpoint and credentials in the environment (real X, or an emulator
   * started elsewhere).
   */
  target: { kind: 'local-emulator'; port: number } | { kind: 'env'; x: TwclidKitConfig };
}

/** The emulator's credentials, as the environment variables the kit reads. */
export function emulatorEnv(baseUrl: string): Record<string, string> {
  return {
    X_ADS_API_BASE_URL: baseUrl,
    X_ADS_API_VERSION: EMULATOR_DEFAULTS.apiVersion,
    X_PIXEL_ID: EMULATOR_DEFAULTS.pixelId,
    X_AD_ACCOUNT_ID: EMULATOR_DEFAULTS.accountId,
    X_CONSUMER_KEY: EMULATOR_DEFAULTS.consumerKey,
    X_CONSUMER_SECRET: EMULATOR_DEFAULTS.consumerSecret,
    X_ACCESS_TOKEN: EMULATOR_DEFAULTS.accessToken,
    X_ACCESS_TOKEN_SECRET: EMULATOR_DEFAULTS.accessTokenSecret,
  };
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(name, `"${raw}" is not a whole number from ${min} to ${max}`);
  }
  return value;
}

function eventId(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim() || fallback;
  if (!/^[a-z0-9]{1,16}$/.test(raw)) {
    throw new ConfigError(name, `"${raw}" is not a short event ID such as o87ne`);
  }
  return raw;
}

/**
 * Reads the demo's configuration.
 *
 * @throws {ConfigError} naming the variable that is missing, malformed or contradictory.
 */
export function demoConfigFromEnv(env: Env): DemoConfig {
  const defaults = EMULATOR_DEFAULTS.events;
  const events: DemoEvents = {
    purchase: eventId(env, 'DEMO_EVENT_PURCHASE', defaults.purchase.id),
    lead: eventId(env, 'DEMO_EVENT_LEAD', defaults.lead.id),
    signup: eventId(env, 'DEMO_EVENT_SIGNUP', defaults.signUp.id),
  };
  const flushIntervalMs = integer(env, 'DEMO_FLUSH_INTERVAL_MS', 250, 10, 60_000);
  const refresh = env.DEMO_REPORT_REFRESH_MS?.trim()
    ? { xCountedRefreshMs: integer(env, 'DEMO_REPORT_REFRESH_MS', 30_000, 100, 3_600_000) }
    : {};
  const host = env.HOST?.trim() || '127.0.0.1';
  const external = env.X_ADS_API_BASE_URL?.trim();
  if (external) {
    const x = configFromEnv(env);
    return {
      host,
      port: x.port,
      dbPath: x.dbPath,
      flushIntervalMs,
      ...refresh,
      events,
      target: { kind: 'env', x },
    };
  }
  // Only the kit's own variables are read from the environment here; the X
  // endpoint and credentials are the emulator's, filled in once it runs.
  const local = configFromEnv({ ...env, ...emulatorEnv('http://127.0.0.1'), X_PIXEL_TOKEN: '' });
  const port = integer(env, 'EMULATOR_PORT', local.port === 0 ? 0 : local.port + 1, 0, 65_535);
  return {
    host,
    port: local.port,
    dbPath: local.dbPath,
    flushIntervalMs,
    ...refresh,
    events,
    target: { kind: 'local-emulator', port },
  };
}
