/**
 * The emulator as a Hono app plus its in-process handle: Conversion API,
 * authenticated_user_access, 3-legged OAuth, the Pixel stand-in and the
 * inspection API under `/_emulator`.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { HttpBindings } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { createClock, type EmulatorClock } from './clock.ts';
import {
  CONVERSION_PERMISSIONS,
  type EmulatorOptions,
  lookupEvent,
  type ResolvedConfig,
  type ResolvedPixel,
  resolveConfig,
} from './config.ts';
import {
  type CheckedConversion,
  checkBody,
  checkConversion,
  type XError,
} from './conversion-rules.ts';
import { parseEventId } from './event-key.ts';
import { createFaultInjector, type FaultConfig, type FaultKind } from './faults.ts';
import { hashEmail, hashPhone } from './hash.ts';
import {
  type AuthResult,
  type ConversionFilter,
  type ConversionGroup,
  createLedger,
  type EmulatorStats,
  type EventFilter,
  type EventRecord,
  type NewRecord,
} from './ledger.ts';
import { createNonceCache } from './nonce-cache.ts';
import { type OAuthSecrets, verifyOAuthRequest } from './oauth1-verify.ts';
import { PIXEL_COLLECT_PATH, PIXEL_SCRIPT } from './pixel-script.ts';
import { type BudgetStatus, createRollingBudget } from './rolling-budget.ts';
import { type RequestParams, unauthorized, xError } from './x-response.ts';

type Env = { Bindings: Partial<HttpBindings> };

/** Raised (and re-thrown by the app) when the emulator drops a connection on purpose. */
export class DroppedConnectionError extends Error {
  constructor(reason: string) {
    super(`connection dropped by the emulator (${reason})`);
    this.name = 'DroppedConnectionError';
  }
}

/** The inspection API, in process. */
export interface EmulatorInspector {
  events(filter?: EventFilter): EventRecord[];
  conversions(filter?: ConversionFilter): ConversionGroup[];
  stats(): EmulatorStats;
  /** Forgets events, conversions, counters, nonces and rate budgets; restarts the fault sequence. */
  reset(): void;
}

export interface IssuedToken {
  token: string;
  secret: string;
  userId: string;
}

export interface Emulator {
  /** The Hono app (use `app.request()` in tests, or serve it). */
  app: Hono<Env>;
  config: ResolvedConfig;
  clock: EmulatorClock;
  state: EmulatorInspector;
  faults(): FaultConfig;
  /** Applies a partial fault update; throws FaultConfigError naming a bad field. */
  setFaults(update: Partial<FaultConfig>): FaultConfig;
  /** Access tokens issued by the 3-legged flow so far. */
  issuedTokens(): IssuedToken[];
  /** Releases requests hung by a timeout fault (call before closing a server). */
  releaseHung(): void;
}

const MAX_PIXEL_BODY = 16 * 1024;
const TWCLID_MAX = 256;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function destroySocket(c: Context<Env>): void {
  c.env?.incoming?.socket?.destroy();
}

function rateHeaders(
  request: BudgetStatus,
  account: BudgetStatus | undefined,
  toEpochSec: (ms: number) => number,
) {
  const h: Record<string, string> = {
    'x-rate-limit-limit': String(request.limit),
    'x-rate-limit-remaining': String(request.remaining),
    'x-rate-limit-reset': String(toEpochSec(request.resetAt)),
  };
  if (account) {
    h['x-account-rate-limit-limit'] = String(account.limit);
    h['x-account-rate-limit-remaining'] = String(account.remaining);
    h['x-account-rate-limit-reset'] = String(toEpochSec(account.resetAt));
  }
  return h;
}

const asString = (v: unknown): string | null =>
  typeof v === 'string' && v.trim() !== ''
    ? v.trim()
    : typeof v === 'number' && Number.isFinite(v)
      ? String(v)
      : null;

/**
 * Builds the emulator (app + handle) from options. Options are validated here,
 * once; an invalid option throws EmulatorConfigError naming the field.
 *
 * @example
 * const emu = createEmulator();
 * const res = await emu.app.request('/12/measurement/conversions/o8z6j', { method: 'POST', ... });
 * emu.state.conversions();
 */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const config = resolveConfig(options);
  const clock = createClock(config.now);
  const faults = createFaultInjector(config.faults);
  const ledger = createLedger(config);
  const nonces = createNonceCache(config.oauthMaxSkewSeconds);
  const accountBudget = createRollingBudget(config.eventsPerWindow, config.rateWindowMs);
  const requestBudget = createRollingBudget(config.requestsPerWindow, config.rateWindowMs);
  const tokens = new Map(config.tokens);
  const issued: IssuedToken[] = [];
  const requestTokens = new Map<
    string,
    {
      secret: string;
      consumerKey: string;
      callback: string;
      verifier: string | null;
      userId: string | null;
    }
  >();
  const hung = new Set<() => void>();

  const wallSeconds = () => Math.floor(clock.wallNow() / 1000);
  // Reset times are X's time; expressed on the client's clock so a client on a real clock waits the right amount.
  const toEpochSec = (xMs: number) => Math.ceil((xMs - clock.offset()) / 1000);

  const accessSecrets: OAuthSecrets = {
    consumerSecret: (key) => config.consumers.get(key),
    tokenSecret: (token) => tokens.get(token)?.secret,
  };
  const useNonce = (ck: string, tk: string, nonce: string, ts: number) =>
    nonces.use(ck, tk, nonce, ts, wallSeconds());

  const oauth = async (c: Context<Env>, secrets: OAuthSecrets, requireToken: boolean) => {
    const contentType = c.req.header('content-type') ?? '';
    const formBody = contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')
      ? await c.req.text()
      : undefined;
    const result = verifyOAuthRequest(
      {
        method: c.req.method,
        url: new URL(c.req.url),
        authorization: c.req.header('authorization'),
        ...(formBody !== undefined ? { formBody } : {}),
      },
      secrets,
      {
        nowSeconds: wallSeconds(),
        maxSkewSeconds: config.oauthMaxSkewSeconds,
        requireToken,
        useNonce,
      },
    );
    return { result, formBody };
  };

  const app = new Hono<Env>();

  app.onError((err, c) => {
    if (err instanceof DroppedConnectionError) throw err;
    return xError(c, 500, [{ code: 'INTERNAL_ERROR', message: 'Internal error' }], {});
  });
  app.notFound((c) =>
    xError(
      c,
      404,
      [{ code: 'ROUTE_NOT_FOUND', message: 'The requested resource could not be found' }],
      {},
    ),
  );

  // ------------------------------------------------------------------ Conversion API

  const recordRequest = (
    base: Omit<NewRecord, 'validation' | 'httpStatus' | 'fault'>,
    conversions: unknown[] | undefined,
    outcome: { status: number | null; errors: XError[]; fault: FaultKind | null },
  ) => {
    const now = clock.now();
    const validation = { ok: false, errors: outcome.errors };
    if (!conversions || conversions.length === 0) {
      ledger.add(
        { ...base, validation, httpStatus: outcome.status, fault: outcome.fault },
        now,
        false,
      );
      return;
    }
    for (const raw of conversions) {
      const { read } = checkConversion(raw);
      ledger.add(
        {
          ...base,
          ...fromChecked(read),
          validation,
          httpStatus: outcome.status,
          fault: outcome.fault,
        },
        now,
        false,
      );
    }
  };

  const fromChecked = (read: Partial<CheckedConversion>) => {
    const ids = read.identifiers ?? {};
    const parsed = read.eventIdSent ? parseEventId(read.eventIdSent) : undefined;
    return {
      eventId: read.eventIdSent ?? null,
      eventKey: parsed?.eventId ?? null,
      conversionId: read.conversionId ?? null,
      conversionTime: read.conversionTime ?? null,
      twclid: ids.twclid ?? null,
      hashedEmail: ids.hashed_email ?? null,
      hashedPhoneNumber: ids.hashed_phone_number ?? null,
      ipAddress: ids.ip_address ?? null,
      userAgent: ids.user_agent ?? null,
      value: read.value ?? null,
      currency: read.currency ?? null,
      numberItems: read.numberItems ?? null,
    };
  };

  const emptyCopy = (): Omit<
    NewRecord,
    'validation' | 'httpStatus' | 'fault' | 'auth' | 'debugId' | 'pixelId' | 'accountId'
  > => ({
    channel: 'capi',
    type: 'conversion',
    eventId: null,
    eventKey: null,
    conversionId: null,
    conversionTime: null,
    twclid: null,
    twclidSource: null,
    hashedEmail: null,
    hashedPhoneNumber: null,
    ipAddress: null,
    userAgent: null,
    value: null,
    currency: null,
    numberItems: null,
    pageUrl: null,
  });

  app.post(
    '/:version{[0-9]+}/measurement/conversions/:pixelId',
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: (c) =>
        xError(
          c,
          413,
          [
            {
              code: 'INVALID_REQUEST',
              message: `Request body exceeds ${config.maxBodyBytes} bytes`,
            },
          ],
          {},
        ),
    }),
    async (c) => {
      ledger.countRequest('capi');
      const pixelId = c.req.param('pixelId');
      const pixel = config.pixels.get(pixelId);
      const params: RequestParams = pixel ? { account_id: pixel.accountId } : { pixel_id: pixelId };
      const debugId = randomUUID();

      const fault = faults.next();
      if (fault.slow) ledger.countFault('slowed');
      if (fault.delayMs > 0) await sleep(fault.delayMs);

      const text = await c.req.text();
      let body: unknown;
      let bodyError: XError | undefined;
      try {
        body = JSON.parse(text);
      } catch {
        bodyError = {
          code: 'INVALID_PARAMETER',
          message: 'Request body must be valid JSON',
          parameter: 'conversions',
        };
      }
      const shape = bodyError ? undefined : checkBody(body);
      const conversions = shape?.conversions;

      let auth: AuthResult = { method: 'none', ok: false };
      const base = () => ({
        ...emptyCopy(),
        debugId,
        pixelId,
        accountId: pixel?.accountId ?? null,
        auth,
      });

      // Injected faults come first: they stand for X's infrastructure, not its rules.
      if (fault.kind === 'server_error') {
        ledger.countFault('server_error');
        const status = (fault.status ?? 500) as ContentfulStatusCode;
        const error =
          status === 503
            ? { code: 'SERVICE_UNAVAILABLE', message: 'Service unavailable' }
            : { code: 'INTERNAL_ERROR', message: 'Internal error' };
        recordRequest(base(), conversions, { status, errors: [error], fault: 'server_error' });
        return xError(c, status, [error], params);
      }
      if (fault.kind === 'rate_limited') {
        ledger.countFault('rate_limited');
        const retry = faults.config().retryAfterSeconds;
        const error = { code: 'TOO_MANY_REQUESTS', message: 'Rate limit exceeded' };
        recordRequest(base(), conversions, { status: 429, errors: [error], fault: 'rate_limited' });
        const resetSec = wallSeconds() + retry;
        return xError(c, 429, [error], params, {
          'retry-after': String(retry),
          'x-rate-limit-remaining': '0',
          'x-rate-limit-reset': String(resetSec),
          'x-account-rate-limit-remaining': '0',
          'x-account-rate-limit-reset': String(resetSec),
        });
      }
      if (fault.kind === 'timeout') {
        ledger.countFault('timeout');
        recordRequest(base(), conversions, { status: null, errors: [], fault: 'timeout' });
        await new Promise<void>((resolve) => {
          const done = () => {
            hung.delete(done);
            resolve();
          };
          hung.add(done);
          // The socket closes when the client gives up; stop hanging then.
          c.env?.incoming?.socket?.once('close', done);
          const hangMs = faults.config().hangMs;
          if (hangMs > 0) setTimeout(done, hangMs);
        });
        destroySocket(c);
        throw new DroppedConnectionError('timeout');
      }
      const dropAfter = fault.kind === 'dropped' && faults.config().dropAfterProcessing;
      if (fault.kind === 'dropped') ledger.countFault('dropped');
      if (fault.kind === 'dropped' && !dropAfter) {
        recordRequest(base(), conversions, { status: null, errors: [], fault: 'dropped' });
        destroySocket(c);
        throw new DroppedConnectionError('dropped before processing');
      }

      // Authentication: X-Pixel-Token [GTM] or OAuth 1.0a [WC].
      let userKey: string;
      const pixelToken = c.req.header('x-pixel-token');
      if (pixelToken !== undefined) {
        const tokenPixel = config.pixelTokens.get(pixelToken);
        auth = tokenPixel
          ? { method: 'pixel_token', ok: tokenPixel === pixelId }
          : { method: 'pixel_token', ok: false, error: 'unknown X-Pixel-Token' };
        if (!auth.ok) {
          const error = tokenPixel
            ? {
                code: 'UNAUTHORIZED_ACCESS',
                message: `The X-Pixel-Token is not valid for pixel ${pixelId}`,
              }
            : unauthorized('unknown X-Pixel-Token');
          auth = { ...auth, error: error.message };
          return authFailure(c, tokenPixel ? 403 : 401, error, base(), conversions, params);
        }
        userKey = `pixel-token:${pixelToken}`;
      } else {
        const { result } = await oauth(c, accessSecrets, true);
        if (!result.ok) {
          auth = { method: 'oauth', ok: false, error: result.reason };
          return authFailure(c, 401, unauthorized(result.reason), base(), conversions, params);
        }
        const user = tokens.get(result.token as string)?.userId as string;
        auth = { method: 'oauth', ok: true, userId: user, consumerKey: result.consumerKey };
        userKey = `user:${user}`;
        if (pixel) {
          const perms = config.users.get(user)?.access[pixel.accountId] ?? [];
          if (!perms.some((p) => CONVERSION_PERMISSIONS.includes(p))) {
            const error = {
              code: 'UNAUTHORIZED_ACCESS',
              message: `User ${user} does not have AD_MANAGER or ACCOUNT_ADMIN access to ad account ${pixel.accountId}`,
            };
            auth = { ...auth, ok: false, error: error.message };
            return authFailure(c, 403, error, base(), conversions, params);
          }
        }
      }

      if (!pixel) {
        const error = {
          code: 'NOT_FOUND',
          message: `Pixel ${pixelId} not found`,
          parameter: 'pixel_id',
        };
        recordRequest(base(), conversions, { status: 404, errors: [error], fault: null });
        return xError(c, 404, [error], params);
      }

      // Rate limits: requests per user and endpoint; events per ad account [RL].
      const now = clock.now();
      const req = requestBudget.take(`${userKey}:conversions`, 1, now);
      const count = shape?.ok ? shape.conversions.length : 0;
      const acct = req.ok ? accountBudget.take(pixel.accountId, count, now) : undefined;
      const headers = rateHeaders(
        req.status,
        acct?.status ?? accountBudget.peek(pixel.accountId, now),
        toEpochSec,
      );
      if (!req.ok || (acct && !acct.ok)) {
        ledger.countRateLimited();
        const retryAt = !req.ok ? req.retryAt : acct && !acct.ok ? acct.retryAt : now;
        const retryAfter = Math.max(1, Math.ceil((retryAt - now) / 1000));
        const error = { code: 'TOO_MANY_REQUESTS', message: 'Rate limit exceeded' };
        recordRequest(base(), conversions, { status: 429, errors: [error], fault: null });
        return xError(c, 429, [error], params, { ...headers, 'retry-after': String(retryAfter) });
      }

      if (bodyError || !shape || !shape.ok) {
        const errors = bodyError ? [bodyError] : shape && !shape.ok ? shape.errors : [];
        recordRequest(base(), conversions, { status: 400, errors, fault: null });
        return xError(c, 400, errors, params, headers);
      }

      // Every rule on every conversion; the request is all-or-nothing [WC].
      const checks = shape.conversions.map((raw) => {
        const check = checkConversion(raw);
        const eventErrors: XError[] = [];
        let eventKey: string | null = null;
        if (check.read.eventIdSent !== undefined) {
          const found = lookupEvent(config, pixel, check.read.eventIdSent);
          if (found.ok) eventKey = found.eventId;
          else eventErrors.push(eventError(found.reason, check.read.eventIdSent, pixel));
        }
        return { check, eventErrors, eventKey };
      });
      const dataErrors = checks.flatMap((x) => x.check.errors);
      const eventErrors = checks.flatMap((x) => x.eventErrors);
      const malformedEvent = eventErrors.some((e) => e.code === 'INVALID_PARAMETER');
      if (dataErrors.length > 0 || eventErrors.length > 0) {
        const status =
          eventErrors.length > 0 &&
          !malformedEvent &&
          config.unknownEventStatus === 404 &&
          dataErrors.length === 0
            ? 404
            : 400;
        const errors = [...dataErrors, ...eventErrors];
        const at = clock.now();
        for (const { check, eventErrors: own } of checks) {
          ledger.add(
            {
              ...base(),
              ...fromChecked(check.read),
              validation: { ok: false, errors: [...check.storedErrors, ...own] },
              httpStatus: status,
              fault: null,
            },
            at,
            false,
          );
        }
        return xError(c, status as 400, errors, params, headers);
      }

      const at = clock.now();
      for (const { check, eventKey } of checks) {
        ledger.add(
          {
            ...base(),
            ...fromChecked(check.read),
            eventKey,
            validation: { ok: true, errors: [] },
            httpStatus: dropAfter ? null : 200,
            fault: dropAfter ? 'dropped' : null,
          },
          at,
          true,
        );
      }
      if (dropAfter) {
        destroySocket(c);
        throw new DroppedConnectionError('dropped after processing');
      }
      return c.json(
        { request: { params }, data: { conversions_processed: checks.length, debug_id: debugId } },
        200,
        headers,
      );
    },
  );

  function authFailure(
    c: Context<Env>,
    status: 401 | 403,
    error: XError,
    base: Omit<NewRecord, 'validation' | 'httpStatus' | 'fault'>,
    conversions: unknown[] | undefined,
    params: RequestParams,
  ) {
    ledger.countAuthFailure();
    recordRequest(base, conversions, { status, errors: [error], fault: null });
    return xError(c, status, [error], params);
  }

  function eventError(
    reason: 'malformed' | 'not_found' | 'other_account',
    sent: string,
    pixel: ResolvedPixel,
  ): XError {
    if (reason === 'malformed') {
      return {
        code: 'INVALID_PARAMETER',
        message: `event_id (${sent}) must be a base-36 event ID or tw-<pixel_id>-<event_id>`,
        parameter: 'event_id',
      };
    }
    if (reason === 'other_account') {
      return {
        code: 'WEB_EVENT_TAG_NOT_FOUND',
        message: 'event_id does not belong to provided account',
        parameter: 'event_id',
      };
    }
    return {
      code: 'WEB_EVENT_TAG_NOT_FOUND',
      message: `Web event tag ${sent} not found for pixel ${pixel.id}`,
      parameter: 'event_id',
    };
  }

  // ------------------------------------------------------------------ access level

  app.get('/:version{[0-9]+}/accounts/:accountId/authenticated_user_access', async (c) => {
    const accountId = c.req.param('accountId');
    const params = { account_id: accountId };
    const { result } = await oauth(c, accessSecrets, true);
    if (!result.ok) {
      ledger.countAuthFailure();
      return xError(c, 401, [unauthorized(result.reason)], params);
    }
    if (!config.accounts.some((a) => a.id === accountId)) {
      return xError(
        c,
        404,
        [{ code: 'NOT_FOUND', message: `Account ${accountId} not found`, parameter: 'account_id' }],
        params,
      );
    }
    const userId = tokens.get(result.token as string)?.userId as string;
    const permissions = config.users.get(userId)?.access[accountId] ?? [];
    if (permissions.length === 0) {
      return xError(
        c,
        403,
        [
          {
            code: 'UNAUTHORIZED_ACCESS',
            message: `User ${userId} is not authorized to access ad account ${accountId}`,
          },
        ],
        params,
      );
    }
    return c.json({
      data: { user_id: userId, permissions: [...permissions] },
      request: { params },
    });
  });

  // ------------------------------------------------------------------ 3-legged OAuth

  const form = (c: Context<Env>, status: 200 | 401 | 400, body: string) =>
    c.body(body, status, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });

  app.post('/oauth/request_token', async (c) => {
    const { result } = await oauth(c, accessSecrets, false);
    if (!result.ok) return form(c, 401, `error=${encodeURIComponent(result.reason)}`);
    const callback = result.oauth.get('oauth_callback');
    if (!callback)
      return form(c, 400, 'error=oauth_callback%20is%20required%20(use%20oob%20for%20PIN)');
    const token = `rt-${randomBytes(12).toString('hex')}`;
    const secret = randomBytes(20).toString('hex');
    requestTokens.set(token, {
      secret,
      consumerKey: result.consumerKey,
      callback,
      verifier: null,
      userId: null,
    });
    return form(
      c,
      200,
      new URLSearchParams({
        oauth_token: token,
        oauth_token_secret: secret,
        oauth_callback_confirmed: 'true',
      }).toString(),
    );
  });

  app.get('/oauth/authorize', (c) => {
    const token = c.req.query('oauth_token') ?? '';
    const pending = requestTokens.get(token);
    if (!pending)
      return c.html(
        '<!doctype html><title>Error</title><p>Invalid or expired request token.</p>',
        400,
      );
    // The configured user approves at once: tests need no clicks.
    pending.userId = config.authorizingUserId;
    pending.verifier = String(randomInt(0, 10_000_000)).padStart(7, '0');
    if (pending.callback !== 'oob') {
      const target = new URL(pending.callback);
      target.searchParams.set('oauth_token', token);
      target.searchParams.set('oauth_verifier', pending.verifier);
      return c.redirect(target.toString(), 302);
    }
    const user = config.users.get(pending.userId);
    return c.html(
      `<!doctype html><html><head><meta charset="utf-8"><title>Authorize app (X emulator)</title></head>` +
        `<body><h1>Authorized</h1><p>@${escapeHtml(user?.screenName ?? '')} approved the app.</p>` +
        `<p>Enter this PIN to complete the authorization:</p><p><code id="oauth_pin">${pending.verifier}</code></p></body></html>`,
    );
  });

  app.post('/oauth/access_token', async (c) => {
    const requestSecrets: OAuthSecrets = {
      consumerSecret: (key) => config.consumers.get(key),
      tokenSecret: (token) => requestTokens.get(token)?.secret,
    };
    const { result, formBody } = await oauth(c, requestSecrets, true);
    if (!result.ok) return form(c, 401, `error=${encodeURIComponent(result.reason)}`);
    const pending = requestTokens.get(result.token as string);
    const fromForm = formBody ? new URLSearchParams(formBody).get('oauth_verifier') : null;
    const verifier =
      result.oauth.get('oauth_verifier') ?? c.req.query('oauth_verifier') ?? fromForm;
    if (!pending || pending.consumerKey !== result.consumerKey) {
      return form(c, 401, 'error=invalid%20request%20token');
    }
    if (!pending.verifier || verifier !== pending.verifier || !pending.userId) {
      return form(c, 401, 'error=invalid%20oauth_verifier');
    }
    requestTokens.delete(result.token as string); // a request token is good for one exchange
    const user = config.users.get(pending.userId);
    const token = `${pending.userId}-${randomBytes(16).toString('hex')}`;
    const secret = randomBytes(24).toString('hex');
    tokens.set(token, { token, secret, userId: pending.userId });
    issued.push({ token, secret, userId: pending.userId });
    return form(
      c,
      200,
      new URLSearchParams({
        oauth_token: token,
        oauth_token_secret: secret,
        user_id: pending.userId,
        screen_name: user?.screenName ?? '',
      }).toString(),
    );
  });

  // ------------------------------------------------------------------ Pixel stand-in

  app.get('/uwt.js', (c) =>
    c.body(PIXEL_SCRIPT, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'no-store',
      'access-control-allow-origin': '*',
    }),
  );

  app.use(PIXEL_COLLECT_PATH, cors({ origin: '*', allowMethods: ['POST', 'OPTIONS'] }));
  app.post(PIXEL_COLLECT_PATH, async (c) => {
    ledger.countRequest('pixel');
    const text = await c.req.text();
    // The Pixel never answers with an error the page could see; problems land in the record.
    if (text.length > MAX_PIXEL_BODY) return c.body(null, 204);
    let hit: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        return c.body(null, 204);
      hit = parsed as Record<string, unknown>;
    } catch {
      return c.body(null, 204);
    }
    const record = buildPixelRecord(c, hit);
    // A valid Pixel conversion takes part in deduplication like a CAPI copy.
    ledger.add(record, clock.now(), record.type === 'conversion' && record.validation.ok);
    return c.body(null, 204);
  });

  const buildPixelRecord = (c: Context<Env>, hit: Record<string, unknown>): NewRecord => {
    const params =
      typeof hit.params === 'object' && hit.params !== null && !Array.isArray(hit.params)
        ? (hit.params as Record<string, unknown>)
        : {};
    const pixelId = asString(hit.pixel_id)?.toLowerCase() ?? null;
    const pixel = pixelId ? config.pixels.get(pixelId) : undefined;
    const type = hit.type === 'config' ? 'page_view' : 'conversion';
    const errors: XError[] = [];
    if (!pixel)
      errors.push({
        code: 'NOT_FOUND',
        message: `Pixel ${pixelId ?? '(none)'} not found`,
        parameter: 'pixel_id',
      });
    const eventSent = asString(hit.event_id);
    let eventKey: string | null = null;
    if (type === 'conversion') {
      if (!eventSent)
        errors.push({
          code: 'MISSING_PARAMETER',
          message: 'event_id is required',
          parameter: 'event_id',
        });
      else if (pixel) {
        const found = lookupEvent(config, pixel, eventSent);
        if (found.ok) eventKey = found.eventId;
        else errors.push(eventError(found.reason, eventSent, pixel));
      }
    }
    const twclidRaw = asString(hit.twclid);
    const twclid = twclidRaw && twclidRaw.length <= TWCLID_MAX ? twclidRaw : null;
    const source = hit.twclid_source;
    const email =
      typeof params.email_address === 'string' ? hashEmail(params.email_address) : undefined;
    const phone =
      typeof params.phone_number === 'string' ? hashPhone(params.phone_number) : undefined;
    const numberItems = params.number_items;
    const record: NewRecord = {
      channel: 'pixel',
      type,
      debugId: randomUUID(),
      httpStatus: 204,
      pixelId,
      accountId: pixel?.accountId ?? null,
      eventId: eventSent,
      eventKey,
      conversionId: type === 'conversion' ? asString(params.conversion_id) : null,
      conversionTime: null,
      twclid,
      twclidSource:
        source === 'url' || source === 'cookie' || source === 'kit_cookie' ? source : null,
      hashedEmail: email ?? null,
      hashedPhoneNumber: phone ?? null,
      ipAddress: clientIp(c),
      userAgent: c.req.header('user-agent') ?? null,
      value: asString(params.value),
      currency: asString(params.currency),
      numberItems:
        typeof numberItems === 'number' && Number.isInteger(numberItems) ? numberItems : null,
      pageUrl: asString(hit.page_url),
      auth: { method: 'none', ok: true },
      validation: { ok: errors.length === 0, errors },
      fault: null,
    };
    return record;
  };

  function clientIp(c: Context<Env>): string | null {
    return c.env?.incoming?.socket?.remoteAddress ?? null;
  }

  // ------------------------------------------------------------------ inspection API

  const inspector: EmulatorInspector = {
    events: (filter) => ledger.events(filter),
    conversions: (filter) => ledger.conversions(filter),
    stats: () => ledger.stats(),
    reset() {
      ledger.reset();
      nonces.clear();
      accountBudget.clear();
      requestBudget.clear();
      faults.reseed();
    },
  };

  app.use('/_emulator/*', cors({ origin: '*', allowMethods: ['GET', 'POST', 'PUT', 'OPTIONS'] }));

  const intQuery = (c: Context<Env>, name: string): number | undefined | 'bad' => {
    const v = c.req.query(name);
    if (v === undefined || v === '') return undefined;
    return /^\d{1,15}$/.test(v) ? Number(v) : 'bad';
  };
  const badQuery = (c: Context<Env>, field: string, message: string) =>
    c.json({ error: { field, message } }, 400);

  app.get('/_emulator/events', (c) => {
    const since = intQuery(c, 'since');
    const limit = intQuery(c, 'limit');
    if (since === 'bad') return badQuery(c, 'since', 'since must be a non-negative integer');
    if (limit === 'bad') return badQuery(c, 'limit', 'limit must be a non-negative integer');
    const channel = c.req.query('channel');
    if (channel !== undefined && channel !== 'capi' && channel !== 'pixel') {
      return badQuery(c, 'channel', 'channel must be capi or pixel');
    }
    const type = c.req.query('type');
    if (type !== undefined && type !== 'conversion' && type !== 'page_view') {
      return badQuery(c, 'type', 'type must be conversion or page_view');
    }
    const filter: EventFilter = { limit: limit ?? 1000 };
    if (since !== undefined) filter.since = since;
    if (channel) filter.channel = channel;
    if (type) filter.type = type;
    const cid = c.req.query('conversion_id');
    if (cid) filter.conversionId = cid;
    const ev = c.req.query('event_id');
    if (ev) filter.eventKey = ev;
    const events = ledger.events(filter);
    return c.json({ events, lastSeq: events.at(-1)?.seq ?? since ?? 0 });
  });

  app.get('/_emulator/conversions', (c) => {
    const limit = intQuery(c, 'limit');
    if (limit === 'bad') return badQuery(c, 'limit', 'limit must be a non-negative integer');
    const verdict = c.req.query('verdict');
    if (
      verdict !== undefined &&
      !['counted_once', 'unmatched', 'no_conversion_id'].includes(verdict)
    ) {
      return badQuery(c, 'verdict', 'verdict must be counted_once, unmatched or no_conversion_id');
    }
    const filter: ConversionFilter = { limit: limit ?? 1000 };
    if (verdict) filter.verdict = verdict as ConversionFilter['verdict'] & string;
    const cid = c.req.query('conversion_id');
    if (cid) filter.conversionId = cid;
    const ev = c.req.query('event_id');
    if (ev) filter.eventKey = ev;
    return c.json({ conversions: ledger.conversions(filter) });
  });

  app.get('/_emulator/stats', (c) => c.json(ledger.stats()));

  app.post('/_emulator/reset', (c) => {
    inspector.reset();
    return c.json({ ok: true });
  });

  app.get('/_emulator/faults', (c) => c.json(faults.config()));
  app.put('/_emulator/faults', async (c) => {
    let update: unknown;
    try {
      update = await c.req.json();
    } catch {
      return badQuery(c, '(body)', 'body must be a JSON object of fault options');
    }
    try {
      return c.json(faults.set(update));
    } catch (err) {
      const e = err as { field?: string; message: string };
      return badQuery(c, e.field ?? '(body)', e.message);
    }
  });

  const clockView = () => ({
    now: new Date(clock.now()).toISOString(),
    nowMs: clock.now(),
    offsetMs: clock.offset(),
  });
  app.get('/_emulator/clock', (c) => c.json(clockView()));
  app.post('/_emulator/clock', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return badQuery(
        c,
        '(body)',
        'body must be {"advanceMs": n} or {"set": "<ISO time or epoch ms>"}',
      );
    }
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (b.advanceMs !== undefined) {
      if (typeof b.advanceMs !== 'number' || !Number.isFinite(b.advanceMs)) {
        return badQuery(c, 'advanceMs', 'advanceMs must be a finite number of milliseconds');
      }
      clock.advance(b.advanceMs);
      return c.json(clockView());
    }
    if (b.set !== undefined) {
      const ms =
        typeof b.set === 'number'
          ? b.set
          : typeof b.set === 'string'
            ? Date.parse(b.set)
            : Number.NaN;
      if (!Number.isFinite(ms)) return badQuery(c, 'set', 'set must be an ISO time or epoch ms');
      clock.set(ms);
      return c.json(clockView());
    }
    return badQuery(
      c,
      '(body)',
      'body must be {"advanceMs": n} or {"set": "<ISO time or epoch ms>"}',
    );
  });

  app.get('/_emulator/config', (c) =>
    c.json({
      accounts: config.accounts.map((a) => ({
        id: a.id,
        pixels: a.pixels.map((p) => ({
          id: p.id,
          events: p.events.map((e) => ({ id: e.id, name: e.name ?? null })),
        })),
      })),
      users: [...config.users.values()].map((u) => ({
        id: u.id,
        screenName: u.screenName,
        access: u.access,
      })),
      limits: {
        eventsPerWindow: config.eventsPerWindow,
        requestsPerWindow: config.requestsPerWindow,
        rateWindowMs: config.rateWindowMs,
        dedupWindowMs: config.dedupWindowMs,
        oauthMaxSkewSeconds: config.oauthMaxSkewSeconds,
        unknownEventStatus: config.unknownEventStatus,
      },
    }),
  );

  return {
    app,
    config,
    clock,
    state: inspector,
    faults: () => faults.config(),
    setFaults: (update) => faults.set(update),
    issuedTokens: () => issued.map((t) => ({ ...t })),
    releaseHung() {
      for (const done of [...hung]) done();
    },
  };
}

/** The Hono app alone (for `app.request()` tests or mounting in another server). */
export function createEmulatorApp(options: EmulatorOptions = {}): Hono<Env> {
  return createEmulator(options).app;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
