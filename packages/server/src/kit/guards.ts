/**
 * The checks every browser endpoint runs before it reads a body: the kit is not
 * shutting down, the origin may post, and the address is within its rate limit.
 */
import type { Context } from 'hono';
import { rateLimitKey } from '../safety/client-ip.ts';
import type { OriginCheck } from '../safety/origin.ts';
import type { ProxyHeaderCheck } from '../safety/proxy-warning.ts';
import type { RateLimiter } from '../safety/rate-limit.ts';
import { reject } from '../safety/reject.ts';
import type { Counters } from './intake.ts';
import type { FactsOf } from './request-facts.ts';
import type { Responses } from './responses.ts';

/** A 429 response when the request's address is over its limit, else `undefined`. */
export type RateLimitCheck = (c: Context) => Response | undefined;

/**
 * Creates the per-IP rate limit check (IPv6 counted per /56); with no limiter
 * (`ipRateLimit: false`) every request passes. Every request is also shown to
 * `noteProxyHeader`, which warns once about an untrusted `X-Forwarded-For`.
 */
export function createRateLimitCheck(
  limiter: RateLimiter | undefined,
  factsOf: FactsOf,
  counters: Counters,
  noteProxyHeader: ProxyHeaderCheck = () => {},
): RateLimitCheck {
  return function rateLimited(c) {
    noteProxyHeader(c);
    if (!limiter) return undefined;
    const hit = limiter.hit(rateLimitKey(factsOf(c).ip));
    if (hit.ok) return undefined;
    counters.rejected++;
    c.header('Retry-After', String(Math.max(1, Math.ceil(hit.retryAfterMs / 1000))));
    return reject(c, 429, 'rate_limited', 'Too many requests from this address', 'ip');
  };
}

export interface EndpointGuardOptions {
  isStopping: () => boolean;
  originAllowed: OriginCheck;
  rateLimited: RateLimitCheck;
  responses: Responses;
}

/** A refusal (503, 403 or 429), or `undefined` when the request may go on. */
export type EndpointGuard = (c: Context, refusedOrigin: string) => Response | undefined;

/**
 * Creates the guard of `/events` and `/capture`; `refusedOrigin` is the 403's
 * message for an origin that may not post.
 */
export function createEndpointGuard(options: EndpointGuardOptions): EndpointGuard {
  const { isStopping, originAllowed, rateLimited, responses } = options;
  return function guard(c, refusedOrigin) {
    if (isStopping()) return responses.stopping(c);
    if (!originAllowed(c)) {
      return responses.refuse(c, 403, 'origin_not_allowed', refusedOrigin, 'origin');
    }
    return rateLimited(c);
  };
}
