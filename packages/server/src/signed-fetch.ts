/**
 * One authenticated HTTP request to X, for calls outside the Conversion API
 * client: the access-level check
 * (`GET /:version/accounts/:id/authenticated_user_access`) and the 3-legged
 * OAuth flow (`POST /oauth/request_token`, `POST /oauth/access_token`).
 */
import { type AuthHeaderOptions, authHeaders, type SigningAuth } from './auth.ts';
import { REQUEST_TIMEOUT_MS_DEFAULT } from './x-limits.ts';

export interface SignedFetchOptions extends AuthHeaderOptions {
  /** A JSON body (sent as `application/json`, not signed). */
  json?: unknown;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Injected `fetch`. Default: `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Abort after this many ms. Default: 10 000. */
  timeoutMs?: number;
}

/**
 * Signs and sends one request; resolves to the raw `Response`. Unlike
 * `XClient#send` it rejects on network errors and timeouts (a `TimeoutError`
 * `DOMException`), since its callers are interactive commands.
 *
 * @example
 * const res = await signedFetch('GET', `${base}/12/accounts/${id}/authenticated_user_access`, auth);
 */
export async function signedFetch(
  method: string,
  url: string,
  auth: SigningAuth,
  options: SignedFetchOptions = {},
): Promise<Response> {
  const headers: Record<string, string> = {
    ...options.headers,
    ...authHeaders(auth, method, url, options),
  };
  let body: string | undefined;
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException('request timed out', 'TimeoutError')),
    options.timeoutMs ?? REQUEST_TIMEOUT_MS_DEFAULT,
  );
  try {
    return await (options.fetch ?? globalThis.fetch)(url, {
      method,
      headers,
      body,
      signal: controller.signal,
    });
  } finally {
    clearTimeout(timer);
  }
}
