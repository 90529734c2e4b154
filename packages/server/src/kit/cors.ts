/**
 * CORS for listed origins on other hosts: they post JSON with `fetch` (a CORS
 * preflight) and call `/capture` with credentials so the cookie is set.
 */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/** The host of an `Origin` value: `https://shop.example:8443` → `shop.example:8443`. */
function originHost(origin: string): string | undefined {
  const at = origin.indexOf('://');
  return at < 0 ? undefined : origin.slice(at + 3);
}

/**
 * Creates the CORS middleware of `/events` and `/capture`, or `undefined` when
 * no other origin is allowed (same-origin requests need no CORS headers).
 *
 * @param allowedOrigins origins like `https://shop.example`; default none.
 */
export function crossOriginCors(allowedOrigins: readonly string[]): MiddlewareHandler | undefined {
  const origins = allowedOrigins.map((origin) => new URL(origin).origin);
  if (origins.length === 0) return undefined;
  const allowCors = cors({
    origin: origins,
    allowMethods: ['POST'],
    allowHeaders: ['content-type'],
    credentials: true,
    maxAge: 600,
  });
  // Same-origin requests skip the middleware: that keeps @hono/node-server's fast
  // response path (a header set on a response that already exists makes it build
  // a full web Response: ~250 µs CPU a request).
  return function twclidCors(c, next) {
    const origin = c.req.header('origin');
    if (origin === undefined) return next();
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    return originHost(origin) === host ? next() : allowCors(c, next);
  };
}
