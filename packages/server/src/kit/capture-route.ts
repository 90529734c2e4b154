/**
 * `POST <mount>/capture` `{ twclid, domain? }`: the browser script hands over
 * the click from the landing URL, and the server sets the click cookie (a
 * server-set cookie outlives Safari's 7-day cap on script-written ones). 204
 * with `Set-Cookie`; under GPC the click is not stored at all.
 */
import { TWCLID_FIELD, type WireCapture } from '@twclid-kit/browser/contract';
import type { Handler } from 'hono';
import { clickCookieDomain } from '../safety/cookie-domain.ts';
import { reject } from '../safety/reject.ts';
import type { BodyReader } from './body.ts';
import type { ClickCookie } from './click-cookie.ts';
import type { EndpointGuard } from './guards.ts';
import type { FactsOf } from './request-facts.ts';
import type { Responses } from './responses.ts';
import { parseTwclid } from './twclid.ts';
import type { TwclidEnv } from './types.ts';

export interface CaptureRouteOptions {
  guard: EndpointGuard;
  body: BodyReader;
  responses: Responses;
  factsOf: FactsOf;
  clickCookie: ClickCookie;
}

/** Creates the capture route handler. */
export function createCaptureRoute(options: CaptureRouteOptions): Handler<TwclidEnv> {
  const { guard, body, responses, factsOf, clickCookie } = options;
  return async function twclidCapture(c) {
    const refused = guard(c, 'This origin may not capture clicks');
    if (refused) return refused;
    const response = await body.withBodyLimit(c, async () => {
      const read = await body.readJson(c);
      if (!read.ok) return read.response;
      const capture = read.body as Partial<WireCapture> | null;
      // Policy: a missing or invalid twclid is a 400; storing a click is the
      // request's only purpose, and the script only calls with one.
      const twclid = parseTwclid(capture?.[TWCLID_FIELD]);
      if (twclid === undefined) {
        return responses.refuse(
          c,
          400,
          'invalid_field',
          'twclid must be a click ID from the landing URL',
          'twclid',
        );
      }
      // Under GPC the click is not stored at all (docs/product.md, Safety).
      if (factsOf(c).gpc) return c.json({ suppressed: true }, 202);
      // The domain the script wrote its cookie on, so this Set-Cookie replaces that
      // cookie rather than adding a host-only twin; only the host or a parent of it.
      const domain = clickCookieDomain(capture?.domain, factsOf(c).host);
      clickCookie.refresh(c, twclid, domain);
      return c.body(null, 204);
    });
    return response ?? reject(c, 500, 'internal_error', 'No response');
  };
}
