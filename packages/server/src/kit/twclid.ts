/**
 * The one rule for a click ID (`twclid`) entering the kit, whichever way it
 * comes: `?twclid=` on a landing page, `/capture`, the JSON event, a form
 * field, or a cookie. It is checked here once, with `normalizeTwclid` (trim,
 * then `TWCLID_PATTERN` from `@twclid-kit/browser/contract`), and carried as a
 * `Twclid` after that.
 *
 * What a flow does with an invalid value is the flow's policy, written next to
 * the call: the JSON event and `/capture` answer 400 (the script sent it, a
 * developer should see why), the form and landing flows drop it and fall back
 * to the click cookie (a visitor's form post or page view must go on).
 */
import { normalizeTwclid } from '../normalize.ts';

declare const checked: unique symbol;
/** A click ID that passed `checkTwclid`: trimmed, URL-safe, 1..256 characters. */
export type Twclid = string & { readonly [checked]: true };

export type TwclidCheck = { ok: true; twclid: Twclid | undefined } | { ok: false; reason: string };

/**
 * Checks a raw click ID. Missing or blank (`undefined`, `null`, `""`, spaces)
 * is no click, not an error: `{ ok: true, twclid: undefined }`, so the flow
 * falls back to the click cookie. The reason is worded for `twclid <reason>`.
 */
export function checkTwclid(raw: unknown): TwclidCheck {
  if (raw === undefined || raw === null) return { ok: true, twclid: undefined };
  if (typeof raw !== 'string') return { ok: false, reason: 'must be a string' };
  if (raw.trim() === '') return { ok: true, twclid: undefined };
  const normalized = normalizeTwclid(raw);
  return normalized.ok
    ? { ok: true, twclid: normalized.value as Twclid }
    : { ok: false, reason: normalized.reason };
}

/** `checkTwclid` for flows that drop an invalid value: the click ID or `undefined`. */
export function parseTwclid(raw: unknown): Twclid | undefined {
  const result = checkTwclid(raw);
  return result.ok ? result.twclid : undefined;
}
