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
/** Form field and JSON key of an explicit opt-out (consent withdrawn): acknowledged, never forwarded. */
export const OPT_OUT_FIELD = 'opt_out';
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
/** The one spelling of the click ID rule; every regex below is built from it. */
const TWCLID_CHARS = `[A-Za-z0-9._~-]{1,${TWCLID_MAX_LENGTH}}`;
export const TWCLID_PATTERN = new RegExp(`^${TWCLID_CHARS}$`);
// `\d` cannot match the dot after the time, so a dot inside the ID stays in the ID.
const CLICK_VALUE = new RegExp(`^1\\.(\\d{1,16})\\.(${TWCLID_CHARS})$`);

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
  const match = CLICK_VALUE.exec(value || '');
  return match ? { clickedAt: +(match[1] as string), twclid: match[2] as string } : undefined;
}

/**
 * The Pixel's own `_twclid` cookie, written either as the bare ID or as JSON
 * such as `{"twclid":"…","timestamp":…}`; `undefined` for anything else (never
 * throws). `clickedAt` is the JSON's `timestamp`, else 0 (unknown).
 */
export function decodePixelClick(value: string | null | undefined): StoredClick | undefined {
  let id: unknown = value;
  let at: unknown;
  try {
    if (value?.[0] === '{') ({ twclid: id, timestamp: at } = JSON.parse(value));
  } catch {}
  return typeof id === 'string' && TWCLID_PATTERN.test(id)
    ? { twclid: id, clickedAt: +(at as number) || 0 }
    : undefined;
}

/**
 * Pixel and event IDs: short base-36 strings as X shows them (`o8z6j`,
 * `o87ne`); an event may also be written in the Pixel's tag form
 * `tw-<pixel_id>-<event_id>`, which the Conversion API accepts as is
 * (docs/x-api.md §1).
 */
/** A pixel (event source) ID: base-36, lowercase, as X shows it in Events Manager. */
export const PIXEL_ID_PATTERN = /^[a-z0-9]{1,32}$/;
// Literals, not built from a shared string, so the script's bundle can drop them unused.
const EVENT_ID = /^(?:tw-([a-z0-9]{1,32})-)?([a-z0-9]{1,32})$/;

export type ParsedEventId =
  | { ok: true; eventId: string; pixelId?: string }
  | { ok: false; reason: string };

/**
 * Splits `o87ne` or `tw-o8z6j-o87ne` into its parts; `pixelId` is set only for
 * the tag form. Surrounding spaces are ignored.
 */
export function parseEventId(raw: string): ParsedEventId {
  const match = EVENT_ID.exec(raw.trim());
  if (!match) {
    return {
      ok: false,
      reason: 'must be an event ID like "o87ne" or "tw-<pixel_id>-<event_id>" (lowercase base-36)',
    };
  }
  const [, pixelId, eventId] = match as unknown as [string, string | undefined, string];
  return pixelId === undefined ? { ok: true, eventId } : { ok: true, pixelId, eventId };
}

/** The Pixel's event tag `tw-<pixel>-<event>` from either event ID form. */
export function eventTag(pixelId: string | undefined, eventId: string): string {
  return eventId.startsWith('tw-') || !pixelId ? eventId : `tw-${pixelId}-${eventId}`;
}

/**
 * How a field's value is read from the wire:
 * - `text`: a string of at most `max` characters;
 * - `count`: a number;
 * - `amount`: a number, or a numeric string of at most `max` characters;
 * - `id`: a string of at most `max` characters, or a number;
 * - `flag`: a boolean;
 * - `contents`: an array of at most `max` objects of {@link CONTENT_FIELDS}.
 */
export type FieldKind = 'text' | 'count' | 'amount' | 'id' | 'flag' | 'contents';

export interface FieldSpec {
  /** The name in the server's `ConversionInput` (camelCase), or in the parse result. */
  readonly input: string;
  readonly kind: FieldKind;
  /** Longest text (characters) or array (items) accepted on the wire. */
  readonly max?: number;
  /** Must be present (`conversion_id` must also not be empty). */
  readonly required?: true;
  /** Not sent by the browser: the server takes it from the request (IP, user agent). */
  readonly wire?: false;
  /** `twclid-kit send`'s flag, when it is not the wire name with dashes (`--ua`). */
  readonly flag?: string;
  /** Other header names `twclid-kit upload` accepts for the column (common exports' names). */
  readonly aliases?: readonly string[];
}

/**
 * The fields of a conversion, once: the JSON event the browser posts (its
 * wire name is the key), what the server's parse maps each to, the
 * `twclid-kit upload` columns and `send` flags. Limits keep a 16 KB body from
 * holding absurd values; X's own rules are the server's `buildConversion()`.
 * To add a field, add it here (and its rule in the server's conversion.ts).
 */
export const CONVERSION_FIELDS = {
  event_id: {
    input: 'eventId',
    kind: 'text',
    max: 80,
    required: true,
    flag: 'event',
    aliases: ['event'],
  },
  conversion_id: {
    input: 'conversionId',
    kind: 'text',
    max: 128,
    required: true,
    aliases: ['order_id'],
  },
  /**
   * The server's signature of an app's own `conversion_id` (`kit.signConversionId()`);
   * the events route takes an ID that is not a random UUID only with it. The page's,
   * like `opt_out`: never given to the Pixel, no upload column or `send` flag.
   */
  conversion_sig: { input: 'conversionSig', kind: 'text', max: 64 },
  conversion_time: {
    input: 'conversionTime',
    kind: 'text',
    max: 64,
    flag: 'time',
    aliases: ['time', 'timestamp'],
  },
  twclid: { input: 'twclid', kind: 'text', max: TWCLID_MAX_LENGTH, aliases: ['click_id'] },
  email: { input: 'email', kind: 'text', max: 320, aliases: ['email_address', 'hashed_email'] },
  phone: {
    input: 'phone',
    kind: 'text',
    max: 64,
    aliases: ['phone_number', 'hashed_phone_number'],
  },
  ip_address: { input: 'ip', kind: 'text', max: 64, wire: false, flag: 'ip', aliases: ['ip'] },
  user_agent: {
    input: 'userAgent',
    kind: 'text',
    max: 1024,
    wire: false,
    flag: 'ua',
    aliases: ['ua'],
  },
  value: { input: 'value', kind: 'amount', max: 32 },
  currency: { input: 'currency', kind: 'text', max: 8, aliases: ['price_currency'] },
  number_items: { input: 'numberItems', kind: 'count', aliases: ['num_items'] },
  description: { input: 'description', kind: 'text', max: 1024 },
  event_source_url: { input: 'eventSourceUrl', kind: 'text', max: 2048, flag: 'url' },
  contents: { input: 'contents', kind: 'contents', max: 100 },
  /** Explicit opt-out from the page (consent withdrawn): acknowledged, not forwarded. */
  opt_out: { input: 'optOut', kind: 'flag' },
} as const satisfies Record<string, FieldSpec>;

/** The fields of one item of `contents`, in the same form. */
export const CONTENT_FIELDS = {
  content_id: { input: 'contentId', kind: 'text', max: 256 },
  content_name: { input: 'contentName', kind: 'text', max: 512 },
  content_type: { input: 'contentType', kind: 'text', max: 128 },
  content_price: { input: 'contentPrice', kind: 'amount', max: 32 },
  num_items: { input: 'numItems', kind: 'count' },
  content_group_id: { input: 'contentGroupId', kind: 'id', max: 256 },
} as const satisfies Record<string, FieldSpec>;

/** A field's value on the wire, by kind. */
interface KindValue {
  text: string;
  count: number;
  amount: number | string;
  id: string | number;
  flag: boolean;
  contents: WireContent[];
}
type Table = Record<string, FieldSpec>;
type OnWire<T extends Table> = {
  [K in keyof T]: T[K] extends { wire: false } ? never : K;
}[keyof T];
/** The wire object a field table describes: required keys, then optional ones. */
type WireObject<T extends Table> = {
  -readonly [K in OnWire<T> as T[K] extends { required: true }
    ? K
    : never]: KindValue[T[K]['kind']];
} & {
  -readonly [K in OnWire<T> as T[K] extends { required: true }
    ? never
    : K]?: KindValue[T[K]['kind']];
};

/**
 * The JSON event the browser posts to `<endpoint>` (as `application/json`, or as
 * `text/plain` from `sendBeacon`): {@link CONVERSION_FIELDS} without the fields
 * the server takes from the request. The server ignores unknown keys and never
 * takes IP or user agent from the body.
 */
export type WireEvent = WireObject<typeof CONVERSION_FIELDS>;
export type WireContent = WireObject<typeof CONTENT_FIELDS>;

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
