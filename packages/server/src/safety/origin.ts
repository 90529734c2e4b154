/**
 * Origin allow-list for the browser endpoints (`/events`, `/capture`).
 *
 * Browsers send `Origin` on every cross-origin request and on same-origin
 * POSTs, `sendBeacon`'s `text/plain` ones included (Fetch standard, "append a
 * request `Origin` header"). The page's own origin is always allowed; it is
 * compared by host, so a TLS-terminating proxy in front (https page, http
 * request URL) still matches. `Referer` is the fallback when `Origin` is absent.
 */
import type { Context } from 'hono';
import { ConfigError } from '../errors.ts';

export type OriginCheck = (c: Context) => boolean;

function originOf(value: string | undefined): URL | undefined {
  if (!value || value === 'null') return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

export function createOriginCheck(
  allowedOrigins: readonly string[],
  trustProxy: boolean,
): OriginCheck {
  const allowed = new Set(
    allowedOrigins.map((origin) => {
      const url = originOf(origin);
      if (!url) {
        throw new ConfigError(
          'allowedOrigins',
          `"${origin}" is not an origin like https://shop.example`,
        );
      }
      return url.origin;
    }),
  );
  return (c) => {
    const source = originOf(c.req.header('origin')) ?? originOf(c.req.header('referer'));
    if (!source) return false;
    if (allowed.has(source.origin)) return true;
    return source.host === requestHost(c, trustProxy);
  };
}

/** The host (with port) the visitor asked for: `X-Forwarded-Host` behind a trusted proxy, else `Host`. */
export function requestHost(c: Context, trustProxy: boolean): string {
  return (
    (trustProxy ? c.req.header('x-forwarded-host')?.split(',')[0]?.trim() : undefined) ??
    c.req.header('host') ??
    new URL(c.req.url).host
  );
}
