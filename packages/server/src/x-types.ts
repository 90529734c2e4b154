/**
 * Shapes shared across the server package: X's wire objects, the client's
 * typed outcomes, and the small interfaces the delivery pipeline is built from
 * (so every part can be injected and faked in tests).
 */

// ---------------------------------------------------------------- X wire shapes

/** One identifier object; X expects each key in its own object. */
export type CapiIdentifier =
  | { twclid: string }
  | { hashed_email: string }
  | { hashed_phone_number: string }
  | { ip_address: string }
  | { user_agent: string };

export interface CapiContent {
  content_id?: string;
  content_name?: string;
  content_type?: string;
  content_price?: number;
  num_items?: number;
  content_group_id?: string;
}

/** The exact conversion object sent to `POST /:version/measurement/conversions/:pixel_id`. */
export interface CapiConversion {
  conversion_time: string;
  event_id: string;
  identifiers: CapiIdentifier[];
  conversion_id?: string;
  value?: string;
  price_currency?: string;
  number_items?: number;
  description?: string;
  contents?: CapiContent[];
  event_source_url?: string;
}

/** One entry of X's `errors` array. */
export interface XApiError {
  code: string;
  message: string;
  parameter?: string;
}

// ---------------------------------------------------------------- input

export interface ContentInput {
  contentId?: string;
  contentName?: string;
  contentType?: string;
  contentPrice?: number | string;
  numItems?: number;
  contentGroupId?: string | number;
}

/** What app code, the route and the CLI hand to `buildConversion()`. */
export interface ConversionInput {
  /** `o87ne` or `tw-<pixel_id>-o87ne`. */
  eventId: string;
  /** X's deduplication key: at most 128 characters, no control characters or lone surrogates. */
  conversionId?: string;
  /**
   * Defaults to now. A Date, epoch ms, or an ISO 8601 string with a time zone; a real
   * calendar date, at most 90 days before the builder's clock and 1 hour after it.
   */
  conversionTime?: Date | number | string;
  twclid?: string;
  /** Raw (normalized and hashed here) or an already hashed 64-hex SHA-256 digest. */
  email?: string;
  /** Raw (E.164-normalized and hashed here) or an already hashed 64-hex SHA-256 digest. */
  phone?: string;
  ip?: string;
  userAgent?: string;
  /** 0 to 1,000,000,000, at most 17 significant digits; sent as a plain decimal string. */
  value?: number | string;
  currency?: string;
  numberItems?: number;
  description?: string;
  contents?: ContentInput[];
  /** An absolute http(s) URL; stored and sent without its query string and fragment. */
  eventSourceUrl?: string;
}

/** One problem with an input, named by its field (input names, e.g. `email`, `contents[2].numItems`). */
export interface ValidationIssue {
  field: string;
  message: string;
}

// ---------------------------------------------------------------- client outcomes

/** Rate-limit state read from X's headers; times are epoch milliseconds. */
export interface RateLimitInfo {
  limit?: number;
  remaining?: number;
  resetAt?: number;
  /** `true` when read from the `x-account-rate-limit-*` headers. */
  account?: boolean;
}

interface OutcomeBase {
  /** HTTP status, when X (or a proxy) answered. */
  status?: number;
  rateLimit?: RateLimitInfo;
}

export type SendOutcome =
  | (OutcomeBase & {
      ok: true;
      kind: 'ok';
      status: number;
      conversionsProcessed: number;
      debugId: string;
    })
  | (OutcomeBase & { ok: false; kind: 'invalid'; status: 400; errors: XApiError[] })
  | (OutcomeBase & { ok: false; kind: 'auth'; status: 401 | 403; errors: XApiError[] })
  | (OutcomeBase & { ok: false; kind: 'not_found'; status: 404; errors: XApiError[] })
  | (OutcomeBase & {
      ok: false;
      kind: 'rate_limited';
      status: 429;
      errors: XApiError[];
      resetAt?: number;
    })
  /** 408, 423, 5xx and any other status X documents as transient. */
  | (OutcomeBase & {
      ok: false;
      kind: 'transient';
      status: number;
      errors: XApiError[];
      retryAfterMs?: number;
    })
  /** Any other status: treated as permanent for the batch. */
  | (OutcomeBase & { ok: false; kind: 'unexpected'; status: number; errors: XApiError[] })
  | (OutcomeBase & { ok: false; kind: 'network'; message: string })
  | (OutcomeBase & { ok: false; kind: 'timeout'; message: string });

export type SendOutcomeKind = SendOutcome['kind'];

/** Posts one batch (1..500 conversions) to X. Never throws: failures are outcomes. */
export interface XClient {
  send(pixelId: string, conversions: readonly CapiConversion[]): Promise<SendOutcome>;
}

// ---------------------------------------------------------------- retry and rate

/** What to do with a batch after an outcome (see `retry.ts`). */
export type RetryDecision =
  | { action: 'done' }
  | { action: 'retry'; delayMs: number }
  /** 400: split the batch to isolate bad events; a single event is dead-lettered. */
  | { action: 'split' }
  /** 401/403/404/429: stop sending for the account until `untilMs` (epoch ms) or a human fixes it. */
  | { action: 'pause'; untilMs?: number; reason: string }
  | { action: 'dead'; reason: string };

/** A per-account event budget (see `rate-budget.ts`). Times are epoch ms. */
/**
 * X's event budget for an account. Async, so a budget shared by several
 * processes or instances (in the SQLite file, or a database) implements it too.
 */
export interface RateBudget {
  /** How many of `wanted` events may be sent now (0..wanted), and spends them. */
  take(account: string, wanted: number): Promise<number>;
  /** When at least one more event will be free for the account (epoch ms); now if already. */
  nextFreeAt(account: string): Promise<number>;
  /** Gives back events taken but not sent. */
  refund(account: string, count: number): Promise<void>;
  /**
   * The request carrying `count` events just taken has ended (answered, failed
   * or timed out): they count from now. X may have received them any time up
   * to now, so a window measured by X's clock never holds more than the limit.
   */
  answered?(account: string, count: number): Promise<void>;
  /** Aligns the budget with what X reported (a 429's reset pauses the account for every sharer). */
  update(account: string, info: RateLimitInfo): Promise<void>;
  /**
   * Events per window and the window, when the budget knows them (the built-in
   * budgets do): the kit scales the browser share of the budget from them.
   */
  readonly limits?: { limit: number; windowMs: number };
}

// ---------------------------------------------------------------- auth and logging

export type XAuth =
  | {
      kind: 'oauth1';
      consumerKey: string;
      consumerSecret: string;
      accessToken: string;
      accessTokenSecret: string;
    }
  | { kind: 'pixel-token'; token: string };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Pluggable logger. Fields must never carry raw PII or secrets. */
export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}
