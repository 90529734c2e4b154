/**
 * The click cookie the server writes (`_twclid_kit` by default: `1.<clickedAt>.<twclid>`,
 * the format the browser script reads and writes) and the visitor's click read
 * back from cookies, with the X Pixel's own `_twclid` cookie as the fallback.
 */
import { decodeClick, encodeClick, PIXEL_COOKIE } from '@twclid-kit/browser/contract';
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

/** The click in the Pixel's `_twclid` cookie, written either as the bare ID or as JSON `{ twclid }`. */
function pixelClick(value: string | undefined): Twclid | undefined {
  if (!value) return undefined;
  const plain = parseTwclid(value);
  if (plain !== undefined) return plain;
  try {
    return parseTwclid((JSON.parse(value) as { twclid?: unknown } | null)?.twclid);
  } catch {
    return undefined; // Unknown format: no click.
  }
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
        found = { twclid: ours ?? pixelClick(getCookie(c, PIXEL_COOKIE)) };
        seen.set(c, found);
      }
      return found.twclid;
    },
  };
}
