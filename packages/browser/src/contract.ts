/**
 * The wire contract between the browser script and the server route.
 *
 * Every name or limit that both sides must agree on lives here, once; the server
 * imports this module (`@twclid-kit/browser/contract`) and the browser bundle
 * inlines it. Keep it dependency-free and tiny: it ships in the <script>.
 */

/** Hidden form field and JSON key carrying the click ID. */
export const TWCLID_FIELD = 'twclid';
/** Hidden form field and JSON key carrying the deduplication key shared with the Pixel. */
export const CONVERSION_ID_FIELD = 'conversion_id';
/** Default names of a form's email and phone inputs (raw values; the server hashes them). */
export const EMAIL_FIELD = 'email';
export const PHONE_FIELD = 'phone';
/**
 * Default names of a form's value and currency inputs. The script sends them
 * with the Pixel event; the server's form middleware reads them only through its
 * `map` option, which should read these same names.
 */
export const VALUE_FIELD = 'value';
export const CURRENCY_FIELD = 'currency';
/** Query parameter X appends to the landing URL after an ad click. */
export const TWCLID_PARAM = 'twclid';

/** The kit's own first-party click cookie (and localStorage key). Never the Pixel's `_twclid`. */
export const CLICK_COOKIE = '_twclid_kit';
/** The X Pixel's own cookie: read as a fallback, never written by the kit. */
export const PIXEL_COOKIE = '_twclid';
/** Default click lifetime: X's longest attribution window (90 days). */
export const CLICK_DAYS_DEFAULT = 90;

/** Paths of the route, relative to where the app mounts it (e.g. `/tw`). */
export const EVENTS_PATH = '/events';
export const CAPTURE_PATH = '/capture';

/** Default request body limit of the route, in bytes. */
export const BODY_LIMIT_DEFAULT = 16 * 1024;

/**
 * A click ID is opaque and X-generated (examples are 26 lowercase base-36
 * characters). Accept URL-safe unreserved characters (RFC 3986 §2.3) up to a
 * sane length; do not over-validate the shape.
 */
export const TWCLID_MAX_LENGTH = 256;
export const TWCLID_PATTERN = /^[A-Za-z0-9._~-]{1,256}$/;

/** A stored click: the ID and when it was seen (ms since the epoch). */
export interface StoredClick {
  twclid: string;
  clickedAt: number;
}

/**
 * Cookie value format: `1.<clickedAt ms>.<twclid>`. The leading version lets the
 * format evolve; the ID comes last because it may itself contain dots.
 */
export function encodeClick(click: StoredClick): string {
  return `1.${click.clickedAt}.${click.twclid}`;
}

/** Parses a stored click; `undefined` for anything malformed (never throws). */
export function decodeClick(value: string | null | undefined): StoredClick | undefined {
  // The ID group is TWCLID_PATTERN's; `\d` cannot match the dot after the time,
  // so a dot inside the ID stays in the ID.
  const match = /^1\.(\d{1,16})\.([A-Za-z0-9._~-]{1,256})$/.exec(value || '');
  return match ? { clickedAt: +(match[1] as string), twclid: match[2] as string } : undefined;
}

/**
 * The JSON event the browser posts to `<endpoint>` (as `application/json`, or as
 * `text/plain` from `sendBeacon`). The server ignores unknown keys and never
 * takes IP or user agent from the body.
 */
export interface WireEvent {
  event_id: string;
  conversion_id: string;
  twclid?: string;
  email?: string;
  phone?: string;
  value?: number | string;
  currency?: string;
  number_items?: number;
  contents?: WireContent[];
  description?: string;
  event_source_url?: string;
  conversion_time?: string;
}

export interface WireContent {
  content_id?: string;
  content_name?: string;
  content_type?: string;
  content_price?: number | string;
  num_items?: number;
  content_group_id?: string;
}

/** The capture call: `POST <endpoint base>/capture` with this JSON body. */
export interface WireCapture {
  twclid: string;
  /**
   * The domain the script wrote `_twclid_kit` on (its probed registrable
   * domain), so the server's `Set-Cookie` replaces that cookie instead of adding
   * a host-only twin. Absent when the script's cookie is host-only. The server
   * uses it only when it is the request host or a parent domain of it.
   */
  domain?: string;
}
