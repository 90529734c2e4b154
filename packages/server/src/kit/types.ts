/**
 * The public types of `twclidKit()`: its options, the members of the kit, and
 * what a conversion handed to it became. Re-exported from `kit.ts`.
 */

import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { GetConnInfo } from 'hono/conninfo';
import type { Dispatcher, StopResult, Timers } from '../dispatcher.ts';
import type { CountryCode } from '../normalize.ts';
import type { OutboxStats, OutboxStore } from '../outbox.ts';
import type { AttemptState, RetryPolicy } from '../retry.ts';
import type {
  ConversionInput,
  Logger,
  RateBudget,
  RetryDecision,
  SendOutcome,
  ValidationIssue,
  XAuth,
  XClient,
} from '../x-types.ts';

/** What happened to one conversion handed to the kit. */
export type ConversionResult =
  | { status: 'queued'; conversionId: string | undefined; duplicate: boolean; outboxId: number }
  /** `Sec-GPC: 1` or an explicit opt-out: acknowledged, not forwarded. */
  | { status: 'suppressed'; reason: 'gpc' | 'opt_out' }
  /** The honeypot field was filled: not forwarded. */
  | { status: 'spam' }
  /** The form's data failed validation (form middleware only; the form post itself goes on). */
  | { status: 'invalid'; issues: ValidationIssue[] }
  /** Something on the kit's side kept the form's conversion (form middleware only; the post goes on). */
  | { status: 'skipped'; reason: FormSkipReason };

/**
 * Why `kit.form()` skipped a conversion and let the post through, counted in
 * `KitStats.formSkippedByReason` and logged (`form.skipped`, at most once a
 * minute per reason): `rate_limited` (the form's `ipRateLimit`), `body_too_large`
 * (over `bodyLimit`), `malformed_body` (a multipart body without its boundary,
 * or cut short), `cross_site` (the origin check; refusing the post is the app's
 * `csrf()`'s job), `stopping` (shutdown began), `event_not_allowed` (`map`
 * named an event not in the kit's `events`), `invalid` (the conversion data
 * failed validation; `c.var.conversion` says which fields), `store_unavailable`
 * (the store could not take it) and `error` (anything else the kit threw).
 */
export type FormSkipReason =
  | 'rate_limited'
  | 'body_too_large'
  | 'malformed_body'
  | 'cross_site'
  | 'stopping'
  | 'event_not_allowed'
  | 'invalid'
  | 'store_unavailable'
  | 'error';

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
  /**
   * X's per-account event budget, shared with everything else sending for the account.
   * Default: `X_BUDGET_DEFAULT` (60,000) per rolling 15 min. Not the per-IP limit (`ipRateLimit`).
   */
  budget?: RateBudget;
  /**
   * X's budget for the ad account, as the kit sizes its own budget (the store's shared one
   * included) and the browser share of it: `limit` events per rolling `windowMs`. Default
   * 60,000 per 15 min (`X_BUDGET_DEFAULT`, docs/x-api.md §2). Lower it when other tools send
   * for the same account. `configFromEnv()` reads it from `TWCLID_KIT_X_BUDGET`. Not with
   * `budget`, which carries its own limits.
   */
  xBudget?: { limit?: number; windowMs?: number };
  /**
   * The share of X's budget (`budget`) that events posted to the public `/events` route may
   * use, over the same window: 0 < share ≤ 1. Default 0.5. Conversions vouched for by the
   * server (`form()`, `sendConversion()`) are sent first and may use the whole budget, so a
   * flood of browser posts never delays them (docs/product.md, "Safety (the server)").
   */
  browserShare?: number;
  /**
   * Browser events (from `/events`) waiting for delivery at which `/events` answers 503
   * `backlog_full` with `Retry-After` until some are sent. Nothing stored is dropped, and
   * `form()` and `sendConversion()` are never refused for it. Default 60,000 (X's budget
   * for 15 minutes).
   */
  browserBacklog?: number;
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
  /** Idempotency window of `(event_id, conversion_id)`. Default 7 days (`DEDUP_WINDOW_MS_DEFAULT`); at least 48 hours. */
  dedupWindowMs?: number;
  /** Events per request to X, 1..500. Default 500 (`BATCH_SIZE_DEFAULT`). */
  batchSize?: number;
  /** Longest wait before a partial batch is sent. Default 1000 ms (`FLUSH_INTERVAL_MS_DEFAULT`). */
  flushIntervalMs?: number;
  /** How long a 401/403/404 pause lasts before one probe request. Default 5 minutes (`AUTH_PAUSE_MS_DEFAULT`). */
  authPauseMs?: number;
  /** Origins (besides the page's own) allowed to post to `/events` and `/capture` and forms. Default none. */
  allowedOrigins?: readonly string[];
  /** Request body limit in bytes. Default 16 KB (`BODY_LIMIT_DEFAULT`). */
  bodyLimit?: number;
  /**
   * The kit's per-IP request limit on `/events` and `/capture` (IPv6 counted per /56).
   * Default 60 per 60 s (`IP_RATE_LIMIT_DEFAULT`, `IP_RATE_WINDOW_MS_DEFAULT`); `false`
   * turns it off. Not X's event budget (`budget`).
   */
  ipRateLimit?: { limit?: number; windowMs?: number } | false;
  /**
   * @deprecated Use `ipRateLimit`: the same per-IP limit under its old name, still honoured
   * (`ipRateLimit` wins when both are given).
   */
  rateLimit?: { limit?: number; windowMs?: number } | false;
  /** Trust `X-Forwarded-For`/`-Proto`/`-Host`: `true` = one proxy, a number = that many. Default `false`. */
  trustProxy?: boolean | number;
  /** Custom client IP resolver (wins over `trustProxy` and `getConnInfo`). */
  getIp?: (c: Context) => string | undefined;
  /**
   * Hono's connection-info helper for the runtime (`getConnInfo` from
   * `@hono/node-server/conninfo`, `hono/bun`, `hono/deno` or
   * `hono/cloudflare-workers`). Default: the kit reads the address the way those
   * helpers do on Node, Bun, Deno and Workers, without importing them.
   */
  getConnInfo?: GetConnInfo;
  /**
   * The secret `kit.signConversionId()` signs an app's own conversion IDs with (an order
   * number a page gives the Pixel), so the public `/events` route accepts them; at least 32
   * characters. `configFromEnv()` reads it from `TWCLID_KIT_SIGNING_SECRET`. Default: none
   * (the route takes random UUIDs only, and `signConversionId()` throws).
   */
  signingSecret?: string;
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
  /**
   * Query parameters a conversion's page URL (`event_source_url`, or a form post's
   * `Referer`) keeps when stored and sent to X; a trailing `*` is a prefix (`['utm_*']`).
   * Default: none. The rest of the query string, the fragment and any credentials are
   * dropped, since they often carry personal data (`?email=…&reset_token=…`).
   */
  eventSourceUrlParams?: readonly string[];
  /** Serve `GET /health`. Default `true`. */
  health?: boolean;
  /**
   * What `GET /health` shows besides `{ status }` (its 200/503 codes are the same either
   * way). Default `false`: the route is public, so it answers `{ status }` only. `true`:
   * the full stats to everyone (a demo, a private network); `{ token }`: to requests with
   * `Authorization: Bearer <token>` (compared in constant time), `{ status }` to the rest.
   * `kit.stats()` always returns everything.
   */
  healthDetails?: boolean | { token: string };
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
  /**
   * Count this form's posts against the kit's per-IP limit (`ipRateLimit`); a post over it
   * is let through without a conversion (`skipped`, `rate_limited`), never refused.
   * Default `false`: behind a proxy every visitor has one address, and a busy shop's
   * checkouts would all share one bucket.
   */
  ipRateLimit?: boolean;
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
  /**
   * Counters since start: accepted, duplicates, suppressed (GPC/opt-out), spam, rejected (4xx),
   * formSkipped (`kit.form()` posts let through without a conversion).
   */
  counters: {
    accepted: number;
    duplicates: number;
    suppressed: number;
    spam: number;
    rejected: number;
    formSkipped: number;
  };
  /** `counters.formSkipped` per reason (a reason that never happened is absent). */
  formSkippedByReason: Partial<Record<FormSkipReason, number>>;
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
  /** Starts the kit if needed and sends everything due now: the work of a Cron Trigger. */
  drain(): Promise<void>;
  /**
   * A Cloudflare Worker's `scheduled(controller, env, ctx)` handler (a Cron
   * Trigger): `drain()` kept alive by `ctx.waitUntil()`, so retries come due
   * without waiting for a later request.
   */
  scheduled(
    controller: unknown,
    env: unknown,
    ctx: { waitUntil(promise: Promise<unknown>): void },
  ): Promise<void>;
  /**
   * The signature (`conversion_sig`) of an app's own `conversion_id`, e.g. an order number:
   * a page that fires the Pixel with that ID passes both to `twclidKit.track()`, and the
   * public `/events` route accepts the ID only with it. Throws `ConfigError` naming
   * `signingSecret` when the kit has none.
   */
  signConversionId(id: string): string;
  /** Lifts a 401/403/404/429 pause of an account. */
  resume(account: string): void;
  /** Stops intake (the route answers 503), flushes within `timeoutMs` (default 10 s), closes the store. */
  shutdown(options?: { timeoutMs?: number }): Promise<StopResult>;
  readonly store: OutboxStore;
  readonly dispatcher: Dispatcher;
}

/** The kit: a Hono app to mount (`app.route('/tw', kit)`) with the members above. */
export type TwclidKit = Hono<TwclidEnv> & TwclidKitMembers;
