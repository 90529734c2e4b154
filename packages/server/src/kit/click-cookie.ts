/**
 * The click cookie the server writes (`_twclid_kit` by default: `1.<clickedAt>.<twclid>`,
 * the format the browser script reads and writes) and the visitor's click read
 * back from cookies, with the X Pixel's own `_twclid` cookie as the fallback.
 */
import {
  decodeClick,
  decodePixelClick,
  encodeClick,
  PIXEL_COOKIE,
} from '@twclid-kit/browser/contract';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { ClickCookieSettings } from './options.ts';
import type { FactsOf } from './request-facts.ts';
import { parseTwclid, type Twclid } from './twclid.ts';

export interface ClickCookie {
  /** Sets the click cookie; `domain` (a checked one from the script) wins over `cookie.domain`. */
  refresh(c: Context, twclid: Twclid, domain?: string): void;
  /** The visitor's click: our cookie first, then the Pixel's `_twclid` (plain or JSON); read once per request. */
  read(c: Context): Twclid | undefined;
}

/**
 * Creates the click cookie's reader and writer.
 *
 * @param settings name (default `_twclid_kit`), lifetime in days (default 90) and domain (default host-only).
 * @param factsOf the request's facts (https decides `Secure`).
 * @param now the kit's clock; the cookie records when the click was seen.
 */
export function createClickCookie(
  settings: ClickCookieSettings,
  factsOf: FactsOf,
  now: () => number,
): ClickCookie {
  const maxAge = Math.round(settings.days * 86_400);
  const seen = new WeakMap<Context, { twclid: Twclid | undefined }>();
  return {
    refresh(c, twclid, domain = settings.domain) {
      setCookie(c, settings.name, encodeClick({ twclid, clickedAt: now() }), {
        path: '/',
        maxAge,
        sameSite: 'Lax',
        secure: factsOf(c).https,
        // The browser script reads this cookie, so it cannot be HttpOnly.
        httpOnly: false,
        ...(domain ? { domain } : {}),
      });
    },
    read(c) {
      let found = seen.get(c);
      if (!found) {
        const ours = parseTwclid(decodeClick(getCookie(c, settings.name))?.twclid);
        // The Pixel's cookie is decoded by the wire contract, as the browser script reads it.
        const pixel = parseTwclid(decodePixelClick(getCookie(c, PIXEL_COOKIE))?.twclid);
        found = { twclid: ours ?? pixel };
        seen.set(c, found);
      }
      return found.twclid;
    },
  };
}
