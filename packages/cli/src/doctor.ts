/**
 * `twclid-kit doctor`: checks, in order, that the configuration is complete,
 * that X is reachable, that this machine's clock agrees with X's (OAuth
 * timestamps are refused when too far off), that X accepts the credentials,
 * that the token's user may send conversions for the ad account, that the
 * pixel exists, and how X sees the web event tags (doctor-tags.ts). Each check
 * prints ✓/✗ with a fix hint; any ✗ exits 1. Optional settings that are absent
 * (X_AD_ACCOUNT_ID) make their checks skipped, not failed.
 *
 * The pixel check: X's Conversion API has no validation-only mode and no
 * documented pixel lookup for custom code [REF12], so doctor posts an *empty*
 * batch (`{"conversions":[]}`). X authenticates the request, resolves the
 * pixel (404 when it does not exist) and only then refuses the body with a
 * 400, because a request is all-or-nothing and needs 1 to 500 conversions
 * [WC]: nothing can be counted. A 400 therefore means "credentials accepted,
 * pixel found".
 */

import type { TwclidKitConfig, XApiError } from '@twclid-kit/server';
import { isConfigError } from '@twclid-kit/server';
import { readXErrors } from '@twclid-kit/server/analytics';
import { conversionsUrl, REQUEST_TIMEOUT_MS_DEFAULT, signedFetch } from '@twclid-kit/server/core';
import { tagChecks } from './doctor-tags.ts';
import type { CliIo } from './io.ts';
import { type ConfigFlags, flagFor, loadConfig } from './settings.ts';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  detail: string;
  hint?: string;
}

/** Permissions that may send conversions for an ad account [WC]. */
export const SENDING_PERMISSIONS = ['ACCOUNT_ADMIN', 'AD_MANAGER'] as const;
/** Skew beyond which OAuth requests risk being refused as stale. */
export const CLOCK_WARN_MS = 30_000;
export const CLOCK_FAIL_MS = 5 * 60_000;

const SYMBOL: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗', skip: '-' };

function errorText(status: number, errors: readonly XApiError[]): string {
  return `HTTP ${status}: ${errors.map((e) => `${e.code}${e.message ? ` ${e.message}` : ''}`).join('; ')}`;
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ? `${error.message} (${cause.code})` : error.message;
  }
  return String(error);
}

type AddCheck = (check: DoctorCheck) => void;

const AFTER_CONFIGURATION = ['reachability', 'clock', 'credentials', 'access level', 'pixel'];

/** The configuration, or `undefined` after reporting what is missing. */
function configurationCheck(
  flags: ConfigFlags,
  io: CliIo,
  add: AddCheck,
): TwclidKitConfig | undefined {
  let config: TwclidKitConfig;
  try {
    config = loadConfig(io.env, flags);
  } catch (error) {
    if (!isConfigError(error)) throw error;
    const flag = flagFor(error.variable);
    add({
      name: 'configuration',
      status: 'fail',
      detail: error.message,
      hint: `set ${error.variable}${flag ? ` (or pass ${flag})` : ''}; see the Configuration table in the README`,
    });
    skip(add, 'needs the configuration', AFTER_CONFIGURATION);
    return undefined;
  }
  const authKind = config.auth.kind === 'oauth1' ? 'OAuth 1.0a' : 'X-Pixel-Token';
  add({
    name: 'configuration',
    status: 'ok',
    detail: `pixel ${config.pixelId}, account ${config.adAccountId ?? '(not set)'}, ${authKind}, ${config.baseUrl}/${config.version}`,
  });
  return config;
}

function skip(add: AddCheck, reason: string, names: readonly string[]): void {
  for (const name of names) add({ name, status: 'skip', detail: reason });
}

/**
 * Reachability and clock: any HTTP answer proves the route to X; its Date
 * header gives X's clock. `false` when X could not be reached.
 */
async function reachabilityCheck(
  config: TwclidKitConfig,
  io: CliIo,
  timeoutMs: number,
  add: AddCheck,
): Promise<boolean> {
  try {
    const sentAt = io.now();
    const response = await io.fetch(`${config.baseUrl}/`, {
      method: 'GET',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const receivedAt = io.now();
    await response.body?.cancel().catch(() => {});
    add({
      name: 'reachability',
      status: 'ok',
      detail: `${config.baseUrl} answered HTTP ${response.status} in ${receivedAt - sentAt} ms`,
    });
    clockCheck(response.headers.get('date'), sentAt, receivedAt, add);
    return true;
  } catch (error) {
    add({
      name: 'reachability',
      status: 'fail',
      detail: `${config.baseUrl}: ${describeError(error)}`,
      hint: 'check X_ADS_API_BASE_URL, DNS, proxies and firewalls (HTTPS to ads-api.x.com)',
    });
    skip(add, 'X is not reachable', ['clock', 'credentials', 'access level', 'pixel']);
    return false;
  }
}

function clockCheck(date: string | null, sentAt: number, receivedAt: number, add: AddCheck): void {
  const serverTime = date ? Date.parse(date) : Number.NaN;
  if (Number.isNaN(serverTime)) {
    add({ name: 'clock', status: 'warn', detail: 'X sent no Date header; skew unknown' });
  } else {
    // Date has whole seconds: compare with the middle of the round trip, allow 1 s.
    const skew = serverTime - (sentAt + receivedAt) / 2;
    const abs = Math.max(0, Math.abs(skew) - 1000);
    const text = `this machine is ${(Math.abs(skew) / 1000).toFixed(1)} s ${skew > 0 ? 'behind' : 'ahead of'} X (Date: ${date})`;
    const hint =
      'synchronise the system clock (NTP); X refuses OAuth requests with stale timestamps';
    if (abs > CLOCK_FAIL_MS) add({ name: 'clock', status: 'fail', detail: text, hint });
    else if (abs > CLOCK_WARN_MS) add({ name: 'clock', status: 'warn', detail: text, hint });
    else add({ name: 'clock', status: 'ok', detail: text });
  }
}

type FetchOptions = { fetch: CliIo['fetch']; now: () => number; timeoutMs: number };

/**
 * Credentials and access level: one signed call to authenticated_user_access
 * [WC]. `true` when X accepted the credentials.
 */
async function credentialsCheck(
  config: TwclidKitConfig,
  fetchOptions: FetchOptions,
  add: AddCheck,
): Promise<boolean> {
  let credentialsChecked = false;
  if (config.auth.kind !== 'oauth1') {
    add({
      name: 'credentials',
      status: 'skip',
      detail: 'X-Pixel-Token is checked by the pixel check below',
    });
    add({
      name: 'access level',
      status: 'skip',
      detail: 'not needed with X-Pixel-Token (the token belongs to the pixel)',
    });
  } else if (config.adAccountId === undefined) {
    add({
      name: 'credentials',
      status: 'skip',
      detail: 'checked by the pixel check below (set X_AD_ACCOUNT_ID for a direct check)',
    });
    add({
      name: 'access level',
      status: 'skip',
      detail: 'X_AD_ACCOUNT_ID is not set (optional), so the access level is not checked',
      hint: 'set X_AD_ACCOUNT_ID (or --account-id) to the ad account that owns the pixel',
    });
  } else {
    const url = `${config.baseUrl}/${config.version}/accounts/${encodeURIComponent(config.adAccountId)}/authenticated_user_access`;
    try {
      const response = await signedFetch('GET', url, config.auth, fetchOptions);
      if (response.status === 401) {
        const errors = await readXErrors(response);
        add({
          name: 'credentials',
          status: 'fail',
          detail: `X refused the signed request (${errorText(401, errors)})`,
          hint: 'check X_CONSUMER_KEY, X_CONSUMER_SECRET, X_ACCESS_TOKEN and X_ACCESS_TOKEN_SECRET (regenerate them in the developer portal, or run `twclid-kit oauth login`)',
        });
        add({ name: 'access level', status: 'skip', detail: 'needs valid credentials' });
      } else {
        credentialsChecked = true;
        add({
          name: 'credentials',
          status: 'ok',
          detail: `X accepted the OAuth 1.0a signature (HTTP ${response.status})`,
        });
        if (response.ok) {
          await accessLevelCheck(response, config, add);
        } else {
          const errors = await readXErrors(response);
          add({
            name: 'access level',
            status: 'fail',
            detail: `${config.adAccountId}: ${errorText(response.status, errors)}`,
            hint:
              response.status === 404
                ? 'check X_AD_ACCOUNT_ID (the ad account that owns the pixel)'
                : 'the token user needs AD_MANAGER or ACCOUNT_ADMIN on the ad account; an account admin grants it in ads.x.com, or use `twclid-kit oauth login` as a user who has it',
          });
        }
      }
    } catch (error) {
      add({ name: 'credentials', status: 'fail', detail: describeError(error) });
      add({ name: 'access level', status: 'skip', detail: 'needs valid credentials' });
    }
  }
  return credentialsChecked;
}

/** The token user's permissions on the ad account, from a 2xx of authenticated_user_access. */
async function accessLevelCheck(
  response: Response,
  config: TwclidKitConfig,
  add: AddCheck,
): Promise<void> {
  const body = (await response.json().catch(() => ({}))) as {
    data?: { user_id?: string; permissions?: unknown };
  };
  const permissions = Array.isArray(body.data?.permissions)
    ? body.data.permissions.map(String)
    : [];
  const user = body.data?.user_id ?? 'the token user';
  if (permissions.some((p) => (SENDING_PERMISSIONS as readonly string[]).includes(p))) {
    add({
      name: 'access level',
      status: 'ok',
      detail: `user ${user} has ${permissions.join(', ')} on ${config.adAccountId}`,
    });
  } else {
    add({
      name: 'access level',
      status: 'fail',
      detail: `user ${user} has ${permissions.length > 0 ? permissions.join(', ') : 'no permissions'} on ${config.adAccountId}; sending needs AD_MANAGER or ACCOUNT_ADMIN`,
      hint: 'an account admin grants AD_MANAGER in ads.x.com (account settings, users), or use a token of a user who has it (`twclid-kit oauth login`)',
    });
  }
}

/** Pixel: an empty batch is authenticated and routed but can never be counted (see top). */
async function pixelCheck(
  config: TwclidKitConfig,
  fetchOptions: FetchOptions,
  credentialsChecked: boolean,
  add: AddCheck,
): Promise<void> {
  const pixelUrl = conversionsUrl(config.baseUrl, config.version, config.pixelId);
  try {
    const response = await signedFetch('POST', pixelUrl, config.auth, {
      ...fetchOptions,
      json: { conversions: [] },
    });
    const errors = response.ok ? [] : await readXErrors(response);
    if (response.status === 400 || response.ok) {
      add({
        name: 'pixel',
        status: 'ok',
        detail: `pixel ${config.pixelId} found; X validated an empty probe batch (HTTP ${response.status}, nothing counted)`,
      });
    } else if (response.status === 404) {
      add({
        name: 'pixel',
        status: 'fail',
        detail: `pixel ${config.pixelId}: ${errorText(404, errors)}`,
        hint: 'check X_PIXEL_ID: the pixel (event source) ID from Events Manager, e.g. o8z6j',
      });
    } else if (response.status === 401 || response.status === 403) {
      add({
        name: 'pixel',
        status: 'fail',
        detail: `X refused the credentials for pixel ${config.pixelId} (${errorText(response.status, errors)})`,
        hint:
          config.auth.kind === 'pixel-token'
            ? 'check X_PIXEL_TOKEN (Events Manager → the pixel → Conversion API → Generate access token)'
            : credentialsChecked
              ? 'the token user needs AD_MANAGER or ACCOUNT_ADMIN on the account that owns the pixel'
              : 'check the four OAuth variables',
      });
    } else {
      add({
        name: 'pixel',
        status: 'fail',
        detail: `pixel ${config.pixelId}: ${errorText(response.status, errors)}`,
        hint: 'X answered unexpectedly; try again later',
      });
    }
  } catch (error) {
    add({ name: 'pixel', status: 'fail', detail: describeError(error) });
  }
}

export async function runDoctor(
  flags: ConfigFlags & { timeoutMs?: number; event?: readonly string[] },
  io: CliIo,
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const add = (check: DoctorCheck) => checks.push(check);
  const config = configurationCheck(flags, io, add);
  if (!config) return checks;
  const timeoutMs = flags.timeoutMs ?? REQUEST_TIMEOUT_MS_DEFAULT;
  if (!(await reachabilityCheck(config, io, timeoutMs, add))) return checks;
  const fetchOptions = { fetch: io.fetch, now: io.now, timeoutMs };
  const credentialsChecked = await credentialsCheck(config, fetchOptions, add);
  await pixelCheck(config, fetchOptions, credentialsChecked, add);
  const tagOptions = {
    ...(flags.event ? { events: flags.event } : {}),
    ...(flags.db ? { db: flags.db } : {}),
    timeoutMs,
  };
  await tagChecks(config, tagOptions, io, add);
  return checks;
}

export function printChecks(checks: readonly DoctorCheck[], io: CliIo, json: boolean): void {
  const ok = !checks.some((c) => c.status === 'fail');
  if (json) {
    io.stdout.write(`${JSON.stringify({ ok, checks }, null, 2)}\n`);
    return;
  }
  const width = Math.max(...checks.map((c) => c.name.length));
  for (const check of checks) {
    io.stdout.write(`${SYMBOL[check.status]} ${check.name.padEnd(width)}  ${check.detail}\n`);
    if (check.hint && check.status !== 'ok') {
      io.stdout.write(`  ${' '.repeat(width)}  fix: ${check.hint}\n`);
    }
  }
  io.stdout.write(ok ? '\nAll checks passed.\n' : '\nSome checks failed.\n');
}
