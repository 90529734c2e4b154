/**
 * `kit.landing()`: middleware for the pages an ad links to. A request carrying
 * `?twclid=` gets the click cookie set server-side; every request gets the
 * visitor's click in `c.var.twclid`.
 */
import { TWCLID_PARAM } from '@twclid-kit/browser/contract';
import type { MiddlewareHandler } from 'hono';
import type { ClickCookie } from './click-cookie.ts';
import type { FactsOf } from './request-facts.ts';
import { parseTwclid } from './twclid.ts';
import type { TwclidEnv } from './types.ts';

/**
 * Creates the landing middleware.
 *
 * @example
 * ```ts
 * app.get('/', kit.landing(), (c) => c.html(page(c.var.twclid)));
 * ```
 */
export function createLandingMiddleware(
  clickCookie: ClickCookie,
  factsOf: FactsOf,
): () => MiddlewareHandler<TwclidEnv> {
  return () =>
    async function twclidLanding(c, next) {
      // Policy: an invalid `?twclid=` is dropped and the cookie's click is used;
      // a page view must never fail over a mangled link. Under GPC the click is
      // not stored.
      const fromUrl = parseTwclid(c.req.query(TWCLID_PARAM));
      if (fromUrl !== undefined && !factsOf(c).gpc) {
        clickCookie.refresh(c, fromUrl);
        c.set('twclid', fromUrl);
      } else {
        c.set('twclid', clickCookie.read(c));
      }
      await next();
    };
}
