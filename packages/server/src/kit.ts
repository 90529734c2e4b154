/**
 * `twclidKit(options)`: the Hono sub-app that turns browser events, form posts
 * and app calls into durably stored X Conversion API conversions, plus the
 * dispatcher that delivers them. Imports nothing Node-only, so with
 * `memoryOutbox()` it runs on edge runtimes; the SQLite store lives in
 * `@twclid-kit/server/sqlite`.
 */
import {
  BODY_LIMIT_DEFAULT,
  CAPTURE_PATH,
  CLICK_COOKIE,
  CLICK_DAYS_DEFAULT,
  CONVERSION_ID_FIELD,
  decodeClick,
  EVENTS_PATH,
  encodeClick,
  PIXEL_COOKIE,
  TWCLID_FIELD,
  TWCLID_PARAM,
  TWCLID_PATTERN,
  type WireCapture,
} from '@twclid-kit/browser/contract';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie } from 'hono/cookie';
import { cors } from 'hono/cors';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { createXClient } from './client.ts';
import { buildConversion } from './conversion.ts';
import {
  createDispatcher,
  type Dispatcher,
  defaultTimers,
  type StopResult,
  type Timers,
} from './dispatcher.ts';
import { ConfigError, TwclidKitError, ValidationError } from './errors.ts';
import { consoleLogger } from './logger.ts';
import type { CountryCode } from './normalize.ts';
import {
  DEDUP_WINDOW_DEFAULT_MS,
  DEDUP_WINDOW_MIN_MS,
  type OutboxStats,
  type OutboxStore,
} from './outbox.ts';
import { createRateBudget } from './rate-budget.ts';
import type { AttemptState } from './retry.ts';
import { decideRetry, type RetryPolicy } from './retry.ts';
import { clientIp, rateLimitKey } from './safety/client-ip.ts';
import { clickCookieDomain } from './safety/cookie-domain.ts';
import { createEventAllowList } from './safety/event-allow-list.ts';
import { createOriginCheck, requestHost } from './safety/origin.ts';
import { createRateLimiter } from './safety/rate-limit.ts';
import { reject } from './safety/reject.ts';
import { SCRIPT_PATH, scriptRoute } from './script-route.ts';
import { inputFieldToWire, parseWireEvent } from './wire-event.ts';
import type {
  ConversionInput,
  Logger,
  RateBudget,
  RetryDecision,
  SendOutcome,
  ValidationIssue,
  XAuth,
  XClient,
} from './x-types.ts';

/** What happened to one conversion handed to the kit. */
export type ConversionResult =
  | { status: 'queued'; conversionId: string | undefined; duplicate: boolean; outboxId: number }
  /** `Sec-GPC: 1` or an explicit opt-out: acknowledged, not forwarded. */
  | { status: 'suppressed'; reason: 'gpc' | 'opt_out' }
  /** The honeypot field was filled: not forwarded. */
  | { status: 'spam' }
  /** The form's data failed validation (form middleware only; the form post itself goes on). */
  | { status: 'invalid'; issues: ValidationIssue[] };

/** Context variables the kit's middleware set (`c.get('twclid')`, `c.get('conversion')`). */
export interface TwclidVariables {
  /** The click ID of this visitor: from `?twclid=`, the form, or the click cookie. */
  twclid: string | undefined;
  /** What the form middleware did with this request's conversion. */
  conversion: ConversionResult | undefined;
}
export interface TwclidEnv {
  Variables: TwclidVariables;
}

export interface TwclidKitOptions {
  /** Pixel (event source) ID, e.g. `o8z6j`. Required. */
  pixelId: string;
  /** Event IDs the route accepts (`o87ne` or `tw-o8z6j-o87ne`). Required, at least one. */
  events: readonly string[];
  /** The outbox: `sqliteOutbox()` from `@twclid-kit/server/sqlite` (durable) or `memoryOutbox()`. Required. */
  store: OutboxStore;
  /** Credentials for X (OAuth 1.0a or `X-Pixel-Token`). Required unless `client` is given.
   * `twclidKit({ ...configFromEnv(), events, store })` fills this, `pixelId`, `baseUrl`,
   * `version` and `adAccountId` from the environment. */
  auth?: XAuth;
  /** A ready X client (tests, custom transport). Default: `createXClient({ auth, baseUrl, version })`. */
  client?: XClient;
  /** Ads API origin. Default `https://ads-api.x.com`. */
  baseUrl?: string;
  /** Ads API version segment. Default `12`. */
  version?: string | number;
  /** The ad account (`X_AD_ACCOUNT_ID`) the rate budget and pauses are kept for. Default: the pixel ID. */
  adAccountId?: string;
  /** Per-account event budget, shared with everything else sending for the account. Default: 60,000 / rolling 15 min. */
  budget?: RateBudget;
  /** Retry policy tuning for `decideRetry` (attempts, elapsed time, backoff). */
  retry?: RetryPolicy;
  /** Replaces the retry policy altogether. */
  decide?: (outcome: SendOutcome, state: AttemptState) => RetryDecision;
  /** Logger. Default: JSON lines on the console at `info`. */
  logger?: Logger;
  /** Clock (epoch ms). Default `Date.now`. */
  now?: () => number;
  /** Timers for the dispatcher. Default: the global `setTimeout`/`clearTimeout`. */
  timers?: Timers;
  /** Idempotency window of `(event_id, conversion_id)`. Default 7 days; at least 48 hours. */
  dedupWindowMs?: number;
  /** Events per request to X, 1..500. Default 500. */
  batchSize?: number;
  /** Longest wait before a partial batch is sent. Default 1000 ms. */
  flushIntervalMs?: number;
  /** How long a 401/403/404 pause lasts before one probe request. Default 5 minutes. */
  authPauseMs?: number;
  /** Origins (besides the page's own) allowed to post to `/events` and `/capture` and forms. Default none. */
  allowedOrigins?: readonly string[];
  /** Request body limit in bytes. Default 16 KB (`BODY_LIMIT_DEFAULT`). */
  bodyLimit?: number;
  /** Per-IP request limit (IPv6 counted per /64). Default 60 per 60 s; `false` turns it off. */
  rateLimit?: { limit?: number; windowMs?: number } | false;
  /** Trust `X-Forwarded-For`/`-Proto`/`-Host`: `true` = one proxy, a number = that many. Default `false`. */
  trustProxy?: boolean | number;
  /** Custom client IP resolver (wins over `trustProxy`). */
  getIp?: (c: Context) => string | undefined;
  /** A form/JSON field that humans leave empty; when filled the conversion is dropped as spam. Default: off. */
  honeypotField?: string;
  /** Honour `Sec-GPC: 1` (Global Privacy Control) by not forwarding. Default `true`. */
  respectGpc?: boolean;
  /**
   * The click cookie the server refreshes. Defaults: name `_twclid_kit`, 90 days, no domain
   * (host-only). A site on several subdomains sets `domain` to its registrable domain (the one
   * the browser script writes on), so `landing()` sets the cookie every subdomain reads.
   */
  cookie?: { name?: string; days?: number; domain?: string };
  /** Phone country for numbers written without `+<code>` (e.g. `US`). Default: none (such numbers are rejected). */
  defaultCountry?: CountryCode;
  /** Serve `GET /health`. Default `true`. */
  health?: boolean;
  /**
   * Serve the browser script at `GET /twclid.js` (strong ETag; cached for a year
   * when requested as `twclid.js?v=${SCRIPT_VERSION}`, else for a day). Default `true`.
   */
  script?: boolean;
  /**
   * Delivered events are deleted (hourly) once this old; they are the memory of
   * the idempotency window, so at least `dedupWindowMs`. Default: `dedupWindowMs`;
   * `false` keeps them (purge with the CLI).
   */
  retainDeliveredMs?: number | false;
  /** Start the dispatcher at once. Default `true`; with `false`, call `kit.start()`. */
  autoStart?: boolean;
}

/** Options of the form middleware (flow A). */
export interface FormOptions {
  /** The event this form converts to (`o87ne` or `tw-o8z6j-o87ne`); must be in the kit's `events`. */
  eventId: string;
  /** Body field names. Defaults: `twclid`, `conversion_id`, `email`, `phone`, `opt_out`. */
  fields?: {
    twclid?: string;
    conversionId?: string;
    email?: string;
    phone?: string;
    optOut?: string;
  };
  /** Extra conversion data from the parsed body (value, currency, contents…). */
  map?: (body: Record<string, unknown>, c: Context) => Partial<ConversionInput>;
}

/** Input of `sendConversion`: `twclid`, IP and user agent default to the request's. */
export type SendConversionInput = ConversionInput;

export interface KitStats extends OutboxStats {
  /** `ok`, `paused` (an account is paused) or `stopping`. */
  status: 'ok' | 'paused' | 'stopping';
  /** Events not yet delivered or dead (pending + in flight). */
  depth: number;
  lastDebugId: string | undefined;
  lastSendAt: number | undefined;
  pausedAccounts: { account: string; until: number; reason: string; status?: number }[];
  /** Counters since start: accepted, duplicates, suppressed (GPC/opt-out), spam, rejected (4xx). */
  counters: {
    accepted: number;
    duplicates: number;
    suppressed: number;
    spam: number;
    rejected: number;
  };
}

export interface TwclidKitMembers {
  /** Flow C: enqueue a conversion from app code. Throws `ValidationError` on bad input. */
  sendConversion(c: Context, input: SendConversionInput): Promise<ConversionResult>;
  /** Flow A: middleware in front of the app's own form handler (which can still read the body). */
  form(options: FormOptions): MiddlewareHandler<TwclidEnv>;
  /** Sets the click cookie server-side when a page request carries `?twclid=`; sets `c.var.twclid`. */
  landing(): MiddlewareHandler<TwclidEnv>;
  stats(): Promise<KitStats>;
  /** Recovers in-flight events and starts delivery (done at creation unless `autoStart: false`). */
  start(): Promise<void>;
  /** Sends everything due now. */
  flush(): Promise<void>;
  /** Lifts a 401/403/404/429 pause of an account. */
  resume(account: string): void;
  /** Stops intake (the route answers 503), flushes within `timeoutMs` (default 10 s), closes the store. */
  shutdown(options?: { timeoutMs?: number }): Promise<StopResult>;
  readonly store: OutboxStore;
  readonly dispatcher: Dispatcher;
}

/** The kit: a Hono app to mount (`app.route('/tw', kit)`) with the members above. */
export type TwclidKit = Hono<TwclidEnv> & TwclidKitMembers;

/** Fatal: a body that is not UTF-8 is an error, not a string with U+FFFD in it. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The host of an `Origin` value: `https://shop.example:8443` → `shop.example:8443`. */
function originHost(origin: string): string | undefined {
  const at = origin.indexOf('://');
  return at < 0 ? undefined : origin.slice(at + 3);
}

const TRUTHY = new Set(['1', 'true', 'on', 'yes']);
const PURGE_INTERVAL_MS = 60 * 60 * 1000;

function requireText(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(name, 'is required');
  }
  return value;
}

/**
 * Creates the kit.
 *
 * Routes (relative to where it is mounted): `POST /events` (JSON, or the same
 * JSON as `text/plain` from `sendBeacon`) → 202 `{ conversion_id }`;
 * `POST /capture` `{ twclid }` → 204 with `Set-Cookie`; `GET /health` → stats.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { twclidKit, configFromEnv } from '@twclid-kit/server';
 * import { sqliteOutbox } from '@twclid-kit/server/sqlite';
 *
 * const kit = twclidKit({
 *   pixelId: 'o8z6j',
 *   auth: { kind: 'pixel-token', token: process.env.X_PIXEL_TOKEN! },
 *   events: ['o87ne'],
 *   store: sqliteOutbox(),
 * });
 * const app = new Hono();
 * app.route('/tw', kit);
 * app.post('/signup', kit.form({ eventId: 'o87ne' }), async (c) => {
 *   const body = await c.req.parseBody(); // still readable
 *   return c.redirect('/thanks');
 * });
 * installSignalHandlers(kit);
 * ```
 */
export function twclidKit(options: TwclidKitOptions): TwclidKit {
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
  const dedupWindowMs = options.dedupWindowMs ?? DEDUP_WINDOW_DEFAULT_MS;
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
  const store = options.store;
  const account = options.adAccountId ?? pixelId;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? consoleLogger();
  const allowList = createEventAllowList(pixelId, options.events ?? []);
  const trustProxy = options.trustProxy ?? false;
  const proxied = trustProxy !== false && trustProxy !== 0;
  const originAllowed = createOriginCheck(options.allowedOrigins ?? [], proxied);
  const limiter =
    options.rateLimit === false ? undefined : createRateLimiter({ ...options.rateLimit, now });
  const respectGpc = options.respectGpc ?? true;
  const cookieName = options.cookie?.name ?? CLICK_COOKIE;
  const cookieDays = options.cookie?.days ?? CLICK_DAYS_DEFAULT;
  const ipOptions = { trustProxy, ...(options.getIp ? { getIp: options.getIp } : {}) };
  const buildOptions = {
    pixelId,
    now,
    ...(options.defaultCountry ? { defaultCountry: options.defaultCountry } : {}),
  };

  const client =
    options.client ??
    createXClient({
      auth: options.auth as XAuth,
      ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
      ...(options.version !== undefined ? { version: options.version } : {}),
      now,
    });
  const dispatcher = createDispatcher({
    store,
    client,
    budget: options.budget ?? createRateBudget({ now }),
    decide: options.decide ?? ((outcome, state) => decideRetry(outcome, state, options.retry)),
    logger,
    now,
    ...(options.timers ? { timers: options.timers } : {}),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.flushIntervalMs !== undefined ? { flushIntervalMs: options.flushIntervalMs } : {}),
    ...(options.authPauseMs !== undefined ? { authPauseMs: options.authPauseMs } : {}),
  });

  const counters = { accepted: 0, duplicates: 0, suppressed: 0, spam: 0, rejected: 0 };
  let stopping = false;
  let startPromise: Promise<void> | undefined;
  const timers = options.timers ?? defaultTimers;
  let purgeTimer: unknown;

  /** Deletes delivered events older than the retention, then again in an hour. */
  const purgeDelivered = async (): Promise<void> => {
    if (retainDeliveredMs === false || stopping) return;
    try {
      const purged = await store.purgeDelivered({ now: now(), olderThanMs: retainDeliveredMs });
      if (purged > 0) logger.log('info', 'outbox.purged', { events: purged });
    } catch (error) {
      logger.log('error', 'outbox.purge_failed', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
    if (!stopping) purgeTimer = timers.setTimeout(() => void purgeDelivered(), PURGE_INTERVAL_MS);
  };

  // ------------------------------------------------------------ shared steps

  const isHttps = (c: Context): boolean => {
    if (trustProxy !== false && trustProxy !== 0) {
      const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim();
      if (proto) return proto === 'https';
    }
    return new URL(c.req.url).protocol === 'https:';
  };

  /** Sets the click cookie; `domain` (a checked one from the script) wins over `cookie.domain`. */
  const refreshClickCookie = (
    c: Context,
    twclid: string,
    domain = options.cookie?.domain,
  ): void => {
    setCookie(c, cookieName, encodeClick({ twclid, clickedAt: now() }), {
      path: '/',
      maxAge: Math.round(cookieDays * 86_400),
      sameSite: 'Lax',
      secure: isHttps(c),
      // The browser script reads this cookie, so it cannot be HttpOnly.
      httpOnly: false,
      ...(domain ? { domain } : {}),
    });
  };

  /** The visitor's click: our cookie first, then the Pixel's `_twclid` (plain or JSON). */
  const clickFromCookies = (c: Context): string | undefined => {
    const ours = decodeClick(getCookie(c, cookieName));
    if (ours) return ours.twclid;
    const pixel = getCookie(c, PIXEL_COOKIE);
    if (!pixel) return undefined;
    if (TWCLID_PATTERN.test(pixel)) return pixel;
    try {
      const parsed = JSON.parse(pixel) as { twclid?: unknown };
      if (typeof parsed.twclid === 'string' && TWCLID_PATTERN.test(parsed.twclid))
        return parsed.twclid;
    } catch {
      // Unknown format: no click.
    }
    return undefined;
  };

  const gpc = (c: Context): boolean => respectGpc && c.req.header('sec-gpc')?.trim() === '1';

  const rateLimited = (c: Context): Response | undefined => {
    if (!limiter) return undefined;
    const hit = limiter.hit(rateLimitKey(clientIp(c, ipOptions)));
    if (hit.ok) return undefined;
    counters.rejected++;
    c.header('Retry-After', String(Math.max(1, Math.ceil(hit.retryAfterMs / 1000))));
    return reject(c, 429, 'rate_limited', 'Too many requests from this address', 'ip');
  };

  const refuse = (
    c: Context,
    status: 400 | 403 | 413 | 415 | 503,
    code: string,
    message: string,
    field?: string,
  ): Response => {
    counters.rejected++;
    return reject(c, status, code, message, field);
  };

  const stoppingResponse = (c: Context): Response =>
    refuse(c, 503, 'shutting_down', 'The server is shutting down; retry shortly');

  const tooLarge = (c: Context): Response =>
    refuse(c, 413, 'body_too_large', `The request body exceeds ${maxBody} bytes`, 'body');

  /** Builds (normalizing and hashing in memory), stores durably, then wakes the dispatcher. */
  const accept = async (
    input: ConversionInput,
  ): Promise<ConversionResult & { status: 'queued' }> => {
    const built = buildConversion(input, buildOptions);
    if (!built.ok) throw new ValidationError(built.issues);
    const result = await store.enqueue({
      pixelId,
      account,
      conversion: built.conversion,
      now: now(),
      dedupWindowMs,
    });
    if (result.duplicate) counters.duplicates++;
    else {
      counters.accepted++;
      dispatcher.notify(pixelId, account);
    }
    return {
      status: 'queued',
      conversionId: built.conversion.conversion_id,
      duplicate: result.duplicate,
      outboxId: result.id,
    };
  };

  const requestContext = (c: Context, input: ConversionInput): ConversionInput => {
    const full: ConversionInput = { ...input };
    const twclid = input.twclid ?? (c.get('twclid') as string | undefined) ?? clickFromCookies(c);
    if (twclid !== undefined) full.twclid = twclid;
    // Never from the client's body: IP and user agent come from the request itself.
    const ip = clientIp(c, ipOptions);
    if (ip !== undefined) full.ip = ip;
    const ua = c.req.header('user-agent');
    if (ua !== undefined && ua.trim() !== '') full.userAgent = ua;
    return full;
  };

  const limitBody = bodyLimit({ maxSize: maxBody, onError: tooLarge });
  /**
   * Runs `then` (which decides the response) once the body is known to be within
   * the limit. An unread body goes through Hono's body limit, which counts a
   * chunked stream (no Content-Length) as it reads it. A body that an earlier
   * middleware already read through Hono (`hono/validator`, `c.req.parseBody()`)
   * has no stream left for that (Hono's limit would fail on the locked stream),
   * so it is measured from Hono's body cache instead.
   */
  const withBodyLimit = async (
    c: Context,
    then: () => Promise<Response | undefined>,
  ): Promise<Response | undefined> => {
    if (Object.keys(c.req.bodyCache).length > 0) {
      const size = (await c.req.arrayBuffer()).byteLength;
      return size > maxBody ? tooLarge(c) : then();
    }
    // A declared length is checked from the header alone, as Hono's limit does,
    // but without touching `c.req.raw.body` first: on @hono/node-server that
    // property turns the light request into a full web stream, which made every
    // accepted event about five times slower. HTTP/1.1 parsers deliver exactly
    // Content-Length bytes, so the header is a safe bound.
    const declared = c.req.header('content-length');
    if (declared !== undefined && c.req.header('transfer-encoding') === undefined) {
      return Number(declared) <= maxBody ? then() : tooLarge(c);
    }
    let response: Response | undefined;
    return Promise.resolve(
      limitBody(c, async () => {
        response = await then();
      }),
    ).then((limited) => limited ?? response);
  };

  const readJson = async (
    c: Context,
  ): Promise<{ ok: true; body: unknown } | { ok: false; response: Response }> => {
    const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (type !== 'application/json' && type !== 'text/plain' && type !== '') {
      return {
        ok: false,
        response: refuse(
          c,
          415,
          'unsupported_media_type',
          'Send JSON (application/json or text/plain)',
          'content-type',
        ),
      };
    }
    // JSON text must be UTF-8 (RFC 8259 §8.1): invalid bytes are refused, never
    // replaced with U+FFFD and stored.
    let text: string;
    try {
      text = utf8.decode(await c.req.arrayBuffer());
    } catch {
      return {
        ok: false,
        response: refuse(c, 400, 'malformed_body', 'The body is not valid UTF-8', 'body'),
      };
    }
    try {
      return { ok: true, body: JSON.parse(text) };
    } catch {
      return {
        ok: false,
        response: refuse(c, 400, 'malformed_json', 'The body is not valid JSON', 'body'),
      };
    }
  };

  const issuesResponse = (c: Context, issues: ValidationIssue[], toWire: boolean): Response => {
    const first = issues[0] ?? { field: 'body', message: 'is invalid' };
    const field = toWire ? inputFieldToWire(first.field) : first.field;
    counters.rejected++;
    return c.json(
      {
        error: { code: 'invalid_field', message: `${field} ${first.message}`, field },
        issues: issues.map((i) => ({
          field: toWire ? inputFieldToWire(i.field) : i.field,
          message: i.message,
        })),
      },
      400,
    );
  };

  // ------------------------------------------------------------ routes

  const app = new Hono<TwclidEnv>();

  // Listed origins on other hosts post JSON with `fetch` (a CORS preflight) and
  // call /capture with credentials so the cookie is set; answer their preflights.
  const corsOrigins = (options.allowedOrigins ?? []).map((origin) => new URL(origin).origin);
  if (corsOrigins.length > 0) {
    const allowCors = cors({
      origin: corsOrigins,
      allowMethods: ['POST'],
      allowHeaders: ['content-type'],
      credentials: true,
      maxAge: 600,
    });
    // Same-origin requests need no CORS headers. Skipping the middleware for them
    // keeps @hono/node-server's fast response path (a header set on a response that
    // already exists makes it build a full web Response: ~250 µs CPU a request).
    const crossOriginCors: MiddlewareHandler = (c, next) => {
      const origin = c.req.header('origin');
      if (origin === undefined) return next();
      const host = c.req.header('host') ?? new URL(c.req.url).host;
      return originHost(origin) === host ? next() : allowCors(c, next);
    };
    app.use(EVENTS_PATH, crossOriginCors);
    app.use(CAPTURE_PATH, crossOriginCors);
  }

  app.post(EVENTS_PATH, async function twclidEvents(c) {
    if (stopping) return stoppingResponse(c);
    if (!originAllowed(c)) {
      return refuse(c, 403, 'origin_not_allowed', 'This origin may not post events', 'origin');
    }
    const limited = rateLimited(c);
    if (limited) return limited;
    const response = await withBodyLimit(c, async () => {
      const read = await readJson(c);
      if (!read.ok) return read.response;
      if (options.honeypotField !== undefined) {
        const trap = (read.body as Record<string, unknown> | null)?.[options.honeypotField];
        if (trap !== undefined && trap !== null && trap !== '') {
          counters.spam++;
          return c.json({ suppressed: true }, 202);
        }
      }
      const parsed = parseWireEvent(read.body);
      if (!parsed.ok) return issuesResponse(c, parsed.issues, false);
      if (!allowList.match(parsed.input.eventId)) {
        return refuse(
          c,
          400,
          'event_not_allowed',
          "event_id is not one of this site's events",
          'event_id',
        );
      }
      if (gpc(c) || parsed.optOut) {
        counters.suppressed++;
        return c.json({ suppressed: true }, 202);
      }
      try {
        const result = await accept(requestContext(c, parsed.input));
        return c.json(
          { conversion_id: result.conversionId, ...(result.duplicate ? { duplicate: true } : {}) },
          202,
        );
      } catch (error) {
        if (error instanceof ValidationError) return issuesResponse(c, error.issues, true);
        throw error;
      }
    });
    return response ?? reject(c, 500, 'internal_error', 'No response');
  });

  app.post(CAPTURE_PATH, async function twclidCapture(c) {
    if (stopping) return stoppingResponse(c);
    if (!originAllowed(c)) {
      return refuse(c, 403, 'origin_not_allowed', 'This origin may not capture clicks', 'origin');
    }
    const limited = rateLimited(c);
    if (limited) return limited;
    const response = await withBodyLimit(c, async () => {
      const read = await readJson(c);
      if (!read.ok) return read.response;
      const body = read.body as Record<string, unknown> | null;
      const twclid = body?.[TWCLID_FIELD];
      if (typeof twclid !== 'string' || !TWCLID_PATTERN.test(twclid)) {
        return refuse(
          c,
          400,
          'invalid_field',
          'twclid must be a click ID from the landing URL',
          'twclid',
        );
      }
      // Under GPC the click is not stored at all (docs/product.md, Safety).
      if (gpc(c)) return c.json({ suppressed: true }, 202);
      // The domain the script wrote its cookie on, so this Set-Cookie replaces that
      // cookie rather than adding a host-only twin; only the host or a parent of it.
      const domain = clickCookieDomain(
        (body as Partial<WireCapture> | null)?.domain,
        requestHost(c, proxied),
      );
      refreshClickCookie(c, twclid, domain ?? options.cookie?.domain);
      return c.body(null, 204);
    });
    return response ?? reject(c, 500, 'internal_error', 'No response');
  });

  if (options.script ?? true) app.get(SCRIPT_PATH, scriptRoute());

  if (options.health ?? true) {
    app.get('/health', async function twclidHealth(c) {
      const stats = await kitStats();
      return c.json(stats, stats.status === 'stopping' ? 503 : 200);
    });
  }

  // Hono's own HTTP errors (e.g. from middleware) keep the JSON rejection shape.
  app.onError((error, c) => {
    if (error instanceof HTTPException && error.status < 500) {
      return reject(c, error.status as 400, 'rejected', error.message || 'Rejected');
    }
    logger.log('error', 'route.error', {
      error: error instanceof Error ? error.message : String(error),
    });
    return reject(c, 500, 'internal_error', 'The event could not be stored');
  });

  // ------------------------------------------------------------ members

  async function kitStats(): Promise<KitStats> {
    const outbox = await store.stats(now());
    const state = dispatcher.state();
    return {
      status: stopping ? 'stopping' : state.paused.length > 0 ? 'paused' : 'ok',
      ...outbox,
      depth: outbox.pending + outbox.inFlight,
      lastDebugId: state.lastDebugId,
      lastSendAt: state.lastSendAt,
      pausedAccounts: state.paused,
      counters: { ...counters },
    };
  }

  const csrfCheck = csrf({
    origin: (_origin, c) => originAllowed(c),
    secFetchSite: 'same-origin',
  });

  const members: TwclidKitMembers = {
    async sendConversion(c, input) {
      if (stopping)
        throw new TwclidKitError('twclidKit is shutting down; the conversion was not stored');
      if (!allowList.match(input.eventId)) {
        throw new ValidationError([
          { field: 'eventId', message: "is not one of the kit's events" },
        ]);
      }
      if (gpc(c)) {
        counters.suppressed++;
        return { status: 'suppressed', reason: 'gpc' };
      }
      return accept(requestContext(c, input));
    },

    form(formOptions) {
      const eventId = allowList.match(formOptions.eventId);
      if (!eventId)
        throw new ConfigError('eventId', `"${formOptions.eventId}" is not in the kit's events`);
      const f = {
        twclid: formOptions.fields?.twclid ?? TWCLID_FIELD,
        conversionId: formOptions.fields?.conversionId ?? CONVERSION_ID_FIELD,
        email: formOptions.fields?.email ?? 'email',
        phone: formOptions.fields?.phone ?? 'phone',
        optOut: formOptions.fields?.optOut ?? 'opt_out',
      };
      const field = (body: Record<string, unknown>, name: string): string | undefined => {
        const value = body[name];
        const first = Array.isArray(value) ? value[0] : value;
        return typeof first === 'string' && first.trim() !== '' ? first : undefined;
      };

      return async function twclidForm(c, next) {
        const type = c.req.header('content-type') ?? '';
        if (
          c.req.method !== 'POST' ||
          !/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)
        ) {
          return next();
        }
        if (stopping) return stoppingResponse(c);
        let forbidden = false;
        try {
          await csrfCheck(c, async () => {});
        } catch (error) {
          if (!(error instanceof HTTPException)) throw error;
          forbidden = true;
        }
        if (forbidden) {
          return refuse(
            c,
            403,
            'origin_not_allowed',
            'Cross-site form posts are not accepted',
            'origin',
          );
        }
        const limited = rateLimited(c);
        if (limited) return limited;

        const response = await withBodyLimit(c, async () => {
          // Hono caches the parsed body, so the app's handler can call parseBody() again.
          let body: Record<string, unknown>;
          try {
            body = (await c.req.parseBody()) as Record<string, unknown>;
          } catch {
            // A multipart body without its boundary, or cut short: nobody can read it.
            return refuse(c, 400, 'malformed_form', 'The form body could not be parsed', 'body');
          }
          const result = await formConversion(c, body);
          c.set('conversion', result);
          return undefined;
        });
        if (response) return response;
        await next();
      };

      async function formConversion(
        c: Context,
        body: Record<string, unknown>,
      ): Promise<ConversionResult> {
        if (
          options.honeypotField !== undefined &&
          field(body, options.honeypotField) !== undefined
        ) {
          counters.spam++;
          return { status: 'spam' };
        }
        const twclidRaw = field(body, f.twclid);
        const twclid =
          twclidRaw !== undefined && TWCLID_PATTERN.test(twclidRaw.trim())
            ? twclidRaw.trim()
            : undefined;
        if (twclid !== undefined) c.set('twclid', twclid);
        const optOut = field(body, f.optOut);
        if (gpc(c) || (optOut !== undefined && TRUTHY.has(optOut.toLowerCase()))) {
          counters.suppressed++;
          return { status: 'suppressed', reason: gpc(c) ? 'gpc' : 'opt_out' };
        }
        const input: ConversionInput = {
          eventId: eventId as string,
          ...formOptions.map?.(body, c),
        };
        const conversionId = field(body, f.conversionId);
        if (conversionId !== undefined) input.conversionId = conversionId.trim();
        const email = field(body, f.email);
        if (email !== undefined) input.email = email;
        const phone = field(body, f.phone);
        if (phone !== undefined) input.phone = phone;
        if (twclid !== undefined) input.twclid = twclid;
        const referer = c.req.header('referer');
        if (referer !== undefined && input.eventSourceUrl === undefined)
          input.eventSourceUrl = referer;
        try {
          return await accept(requestContext(c, input));
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          // The visitor's form post goes on; the conversion is logged by field name only.
          logger.log('warn', 'form.invalid', { eventId, fields: error.issues.map((i) => i.field) });
          return { status: 'invalid', issues: error.issues };
        }
      }
    },

    landing() {
      return async function twclidLanding(c, next) {
        const fromUrl = c.req.query(TWCLID_PARAM);
        if (fromUrl !== undefined && TWCLID_PATTERN.test(fromUrl) && !gpc(c)) {
          refreshClickCookie(c, fromUrl);
          c.set('twclid', fromUrl);
        } else {
          c.set('twclid', clickFromCookies(c));
        }
        await next();
      };
    },

    stats: kitStats,

    start() {
      startPromise ??= dispatcher.start().then(() => {
        void purgeDelivered();
      });
      return startPromise;
    },

    flush() {
      return dispatcher.flush();
    },

    resume(name) {
      dispatcher.resume(name);
    },

    async shutdown(shutdownOptions = {}) {
      stopping = true;
      if (purgeTimer !== undefined) timers.clearTimeout(purgeTimer);
      if (startPromise) await startPromise.catch(() => {});
      const result = await dispatcher.stop(shutdownOptions);
      await store.close();
      return result;
    },

    store,
    dispatcher,
  };

  const kit = Object.assign(app, members) as TwclidKit;
  if (options.autoStart ?? true) {
    kit.start().catch((error: unknown) => {
      logger.log('error', 'dispatcher.start_failed', {
        error: error instanceof Error ? error.message : String(error),
      });
    });
  }
  return kit;
}
