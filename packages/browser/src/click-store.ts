import Cookies from 'js-cookie';
import {
  CLICK_COOKIE,
  decodeClick,
  encodeClick,
  PIXEL_COOKIE,
  type StoredClick,
  TWCLID_PATTERN,
} from './contract.ts';
import { findCookieDomain } from './cookie-domain.ts';

// Click storage: the kit's first-party cookie `_twclid_kit` (value from
// `encodeClick`) and a localStorage mirror under the same key. The cookie
// expires `days` after the click, so a restored click keeps its deadline.

const DAY = 864e5;
let domain: string | undefined;

/**
 * The domain the click cookie is written on (`''`: host-only); the capture call
 * sends it to the server. Probed once, on the first write (never at load: it
 * costs cookie writes).
 */
export const cookieDomain = (): string => (domain ??= findCookieDomain(location.hostname));

const attributes = (): Cookies.CookieAttributes => ({
  path: '/',
  domain: cookieDomain(),
  sameSite: 'Lax',
  secure: location.protocol === 'https:',
});

// A copy set without a Domain attribute (by a server without `cookie.domain`) is host-only.
const removeHostOnly = () => Cookies.remove(CLICK_COOKIE, { path: '/' });

// localStorage throws on access where storage is disabled (Safari private
// mode, blocked contexts); a missing mirror must not stop the cookie.
const mirror = (method: 'getItem' | 'setItem' | 'removeItem', value?: string) => {
  try {
    return (localStorage[method] as (key: string, value?: string) => string | null)(
      CLICK_COOKIE,
      value,
    );
  } catch {}
};

/** Stores a click in the kit cookie and the mirror (last click wins). */
export function saveClick(click: StoredClick, days: number): void {
  const value = encodeClick(click);
  // One cookie only: a host-only twin would shadow this one on this host with its own value.
  if (cookieDomain()) removeHostOnly();
  Cookies.set(CLICK_COOKIE, value, {
    ...attributes(),
    expires: new Date(click.clickedAt + days * DAY),
  });
  mirror('setItem', value);
}

/**
 * Called on a landing whose click the kit cookie already holds (the server's
 * landing middleware set it): the mirror, missing or older, must still outlive
 * Safari's cap on script-set cookies. Only landings can bring a newer cookie,
 * so other pages never pay the storage read.
 */
export function keepMirror(click: StoredClick): void {
  if (!((decodeClick(mirror('getItem'))?.clickedAt as number) >= click.clickedAt))
    mirror('setItem', encodeClick(click));
}

/**
 * The stored click: the kit cookie, then the mirror, then the Pixel's
 * `_twclid`. One cookie read; localStorage is read only when the kit cookie is
 * missing (the first access to it in a page is a synchronous trip to the
 * browser process in Chromium).
 */
export function readClick(days: number): StoredClick | undefined {
  const jar = Cookies.get();
  let click = decodeClick(jar[CLICK_COOKIE]);
  if (click) return click;
  click = decodeClick(mirror('getItem'));
  if (click && click.clickedAt + days * DAY > Date.now()) {
    // Safari deletes script-set cookies after a day but the mirror lives
    // longer: put the cookie back so the server sees the click again.
    saveClick(click, days);
    return click;
  }
  // The Pixel's cookie: a plain ID, or JSON such as {"twclid":"...","timestamp":...}.
  let id: unknown = jar[PIXEL_COOKIE];
  let at: unknown;
  try {
    // `?.`: without a Pixel cookie nothing throws (a throw costs more than this whole read).
    if ((id as string)?.[0] === '{') ({ twclid: id, timestamp: at } = JSON.parse(id as string));
  } catch {}
  return typeof id === 'string' && TWCLID_PATTERN.test(id)
    ? { twclid: id, clickedAt: +(at as number) || 0 }
    : undefined;
}

/** Deletes the kit cookie and the mirror (never the Pixel's `_twclid`). */
export function clearClick(): void {
  Cookies.remove(CLICK_COOKIE, attributes());
  removeHostOnly();
  mirror('removeItem');
}
