/**
 * The X Conversion API client: posts one batch to
 * `POST /:version/measurement/conversions/:pixel_id` [REF12] and turns every
 * answer, or the lack of one, into a typed `SendOutcome`. It never throws.
 */
import { authHeaders } from './auth.ts';
import { parseRateLimit, parseRetryAfter, rateLimitResetAt } from './rate-limit-headers.ts';
import { MAX_CONVERSIONS_PER_REQUEST, REQUEST_TIMEOUT_MS_DEFAULT } from './x-limits.ts';
import type { CapiConversion, SendOutcome, XApiError, XAuth, XClient } from './x-types.ts';

/** Production Ads API origin (`X_ADS_API_BASE_URL`). */
export const DEFAULT_BASE_URL = 'https://ads-api.x.com';
/** Ads API version segment (`X_ADS_API_VERSION`). */
export const DEFAULT_API_VERSION = '12';
export interface XClientOptions {
  /** Ads API origin. Default: `https://ads-api.x.com`. */
  baseUrl?: string;
  /** API version segment. Default: `'12'`. */
  version?: string | number;
  /** OAuth 1.0a credentials or an `X-Pixel-Token`. Required. */
  auth: XAuth;
  /** Injected `fetch`. Default: `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Abort a request (including reading its body) after this many ms. Default: 10 000. */
  timeoutMs?: number;
  /** Clock (epoch ms) for OAuth timestamps and `Retry-After` dates. Default: `Date.now`. */
  now?: () => number;
  /** OAuth nonce source. Default: 32 random alphanumerics. */
  nonce?: () => string;
}

/** The conversions URL for a pixel. */
export function conversionsUrl(baseUrl: string, version: string | number, pixelId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${version}/measurement/conversions/${encodeURIComponent(pixelId)}`;
}

function readErrors(body: unknown, status: number, text: string): XApiError[] {
  const list = (body as { errors?: unknown } | null)?.errors;
  if (Array.isArray(list)) {
    const errors = list
      .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
      .map((e) => {
        const error: XApiError = {
          code: typeof e.code === 'string' ? e.code : String(e.code ?? `HTTP_${status}`),
          message: typeof e.message === 'string' ? e.message : '',
        };
        if (typeof e.parameter === 'string') error.parameter = e.parameter;
        return error;
      });
    if (errors.length > 0) return errors;
  }
  // Non-JSON bodies (a proxy's HTML 404, an empty 503): the status is what counts [ERR].
  const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return [{ code: `HTTP_${status}`, message: snippet || `HTTP ${status}` }];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Creates the Conversion API client.
 *
 * @example
 * const client = createXClient({ auth: { kind: 'pixel-token', token: process.env.X_PIXEL_TOKEN! } });
 * const outcome = await client.send('o8z6j', [conversion]);
 * if (outcome.ok) console.log('debug_id', outcome.debugId);
 */
export function createXClient(options: XClientOptions): XClient {
  const baseUrl = options.baseUrl ?? DEFAULT_BASE_URL;
  const version = String(options.version ?? DEFAULT_API_VERSION);
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS_DEFAULT;
  const now = options.now ?? Date.now;
  const auth = options.auth;
  const nonce = options.nonce;

  return {
    async send(pixelId: string, conversions: readonly CapiConversion[]): Promise<SendOutcome> {
      // X answers both cases with a 400 [REF12]; answering locally spares a request.
      if (conversions.length === 0 || conversions.length > MAX_CONVERSIONS_PER_REQUEST) {
        return {
          ok: false,
          kind: 'invalid',
          status: 400,
          errors: [
            {
              code: 'INVALID_PARAMETER',
              message: `Conversion count must be 1 to ${MAX_CONVERSIONS_PER_REQUEST}, got ${conversions.length} (checked before sending)`,
              parameter: 'conversions',
            },
          ],
        };
      }
      const fetchImpl = options.fetch ?? globalThis.fetch;
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, timeoutMs);
      try {
        const url = conversionsUrl(baseUrl, version, pixelId);
        const response = await fetchImpl(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            ...authHeaders(auth, 'POST', url, { now, ...(nonce ? { nonce } : {}) }),
          },
          body: JSON.stringify({ conversions }),
          signal: controller.signal,
        });
        const text = await response.text();
        return classify(response.status, response.headers, text, now());
      } catch (error) {
        if (timedOut) {
          return { ok: false, kind: 'timeout', message: `no answer within ${timeoutMs} ms` };
        }
        return {
          ok: false,
          kind: 'network',
          message: error instanceof Error ? error.message : String(error),
        };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function classify(status: number, headers: Headers, text: string, now: number): SendOutcome {
  const body = parseJson(text);
  const rateLimit = parseRateLimit(headers);
  const base = rateLimit ? { rateLimit } : {};
  if (status >= 200 && status < 300) {
    const data = (body as { data?: Record<string, unknown> } | undefined)?.data ?? {};
    return {
      ...base,
      ok: true,
      kind: 'ok',
      status,
      // 0 / '' only if X's body lacks them; the status is what says "accepted".
      conversionsProcessed:
        typeof data.conversions_processed === 'number' ? data.conversions_processed : 0,
      debugId: typeof data.debug_id === 'string' ? data.debug_id : '',
    };
  }
  const errors = readErrors(body, status, text);
  if (status === 400) return { ...base, ok: false, kind: 'invalid', status, errors };
  if (status === 401 || status === 403) return { ...base, ok: false, kind: 'auth', status, errors };
  if (status === 404) return { ...base, ok: false, kind: 'not_found', status, errors };
  if (status === 429) {
    const resetAt = rateLimitResetAt(headers, now);
    return {
      ...base,
      ok: false,
      kind: 'rate_limited',
      status,
      errors,
      ...(resetAt !== undefined ? { resetAt } : {}),
    };
  }
  // 408 CANCELLED_REQUEST, 423 LOCK_ACQUISITION_TIMEOUT, 5xx: retry [ERR].
  if (status === 408 || status === 423 || (status >= 500 && status < 600)) {
    const retryAfterMs = parseRetryAfter(headers.get('retry-after'), now);
    return {
      ...base,
      ok: false,
      kind: 'transient',
      status,
      errors,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  return { ...base, ok: false, kind: 'unexpected', status, errors };
}
