/**
 * The one rule for a click ID (`twclid`) entering the kit, whichever way it
 * comes: `?twclid=` on a landing page, `/capture`, the JSON event, a form
 * field, or a cookie. It is checked here once, with `normalizeTwclid` (trim,
 * then `TWCLID_PATTERN` from `@twclid-kit/browser/contract`), and carried as a
 * `Twclid` after that.
 *
 * An invalid value has one policy in every flow that makes a conversion,
 * applied by `fromRequest` (intake.ts): the conversion is invalid, named
 * `twclid` (docs/product.md, "Wire contract"). The landing middleware makes no
 * conversion; it only skips setting the cookie.
 */
import { normalizeTwclid, type Twclid } from '../normalize.ts';

/** A click ID that passed `checkTwclid`: trimmed, URL-safe, 1..256 characters. */
export type { Twclid };

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
    ? { ok: true, twclid: normalized.value }
    : { ok: false, reason: normalized.reason };
}

/** `checkTwclid` for flows that drop an invalid value: the click ID or `undefined`. */
export function parseTwclid(raw: unknown): Twclid | undefined {
  const result = checkTwclid(raw);
  return result.ok ? result.twclid : undefined;
}
