/**
 * Normalizers for the identifiers X matches on, each applying X's documented
 * rule before hashing (docs/x-api.md §1 "Identifiers"). Every normalizer is
 * idempotent (normalizing its own output returns it unchanged) and returns a
 * result instead of throwing, with a plain reason when the value is unusable.
 */
import { TWCLID_MAX_LENGTH, TWCLID_PATTERN } from '@twclid-kit/browser/contract';
import {
  type CountryCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/max';
import { isSha256Hex } from './hash.ts';

export type Normalized = { ok: true; value: string } | { ok: false; reason: string };

export type NormalizedIp =
  | { ok: true; value: string; family: 4 | 6 }
  | { ok: false; reason: string };

export type { CountryCode };

declare const checked: unique symbol;
/** A click ID that passed `normalizeTwclid`: trimmed, URL-safe, 1..256 characters. */
export type Twclid = string & { readonly [checked]: true };

/** `true` for an ISO 3166-1 alpha-2 code libphonenumber has numbering rules for (`US`, `DE`…). */
export function isPhoneCountry(code: string): code is CountryCode {
  return isSupportedCountry(code);
}

// A deliberately loose shape check: one `@` with something on both sides and
// no spaces. Anything stricter rejects real addresses; this only stops
// obviously wrong fields (a name in the email box) from being hashed.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

/**
 * Email: trim leading/trailing spaces and lowercase, then SHA-256 [REF12]
 * (X's guide says trim only; the reference and X's own server tag lowercase).
 * A 64-hex digest passes through lowercased.
 */
export function normalizeEmail(raw: string): Normalized {
  const value = raw.trim().toLowerCase();
  if (value === '') return { ok: false, reason: 'is empty' };
  if (isSha256Hex(value)) return { ok: true, value };
  if (!EMAIL_SHAPE.test(value)) return { ok: false, reason: 'is not an email address' };
  return { ok: true, value };
}

/**
 * Phone: E.164 with the leading `+` [REF12]: `+11234567890`, never the bare
 * digits (their digest differs). National numbers (`(415) 555-2671`) need
 * `defaultCountry`. Numbers that libphonenumber's full metadata does not
 * consider valid are rejected, never hashed as typed. A 64-hex digest passes
 * through lowercased.
 */
export function normalizePhone(raw: string, defaultCountry?: CountryCode): Normalized {
  const text = raw.trim();
  if (text === '') return { ok: false, reason: 'is empty' };
  if (isSha256Hex(text)) return { ok: true, value: text.toLowerCase() };
  // `00…` is an international prefix only in some countries, so without a
  // default country only the `+` form is unambiguous.
  if (!text.startsWith('+') && !defaultCountry) {
    return {
      ok: false,
      reason:
        'has no country code: write it as +<country code><number> or configure defaultCountry',
    };
  }
  const parsed = parsePhoneNumberFromString(text, defaultCountry ? { defaultCountry } : {});
  if (!parsed) return { ok: false, reason: 'is not a phone number' };
  if (!parsed.isValid()) return { ok: false, reason: 'is not a valid phone number' };
  return { ok: true, value: parsed.number };
}

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
// Dotted decimal without leading zeros: `010.0.0.1` is octal to some parsers
// and decimal to others, so it is refused rather than guessed.
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const IPV4_MAPPED = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/**
 * IP address: trimmed. IPv4 dotted decimal is X's only documented form [WC],
 * so IPv4 comes back as `family: 4`. An IPv6 address is recognised and
 * returned in canonical (RFC 5952) form as `family: 6`, so callers can decide;
 * `buildConversion()` leaves IPv6 out of the request rather than send X a form
 * it does not document. IPv4-mapped IPv6 (`::ffff:1.2.3.4`, common behind
 * dual-stack sockets) is unwrapped to IPv4.
 */
export function normalizeIp(raw: string): NormalizedIp {
  const text = raw.trim();
  if (text === '') return { ok: false, reason: 'is empty' };
  if (IPV4.test(text)) return { ok: true, value: text, family: 4 };
  if (!text.includes(':')) return { ok: false, reason: 'is not an IPv4 or IPv6 address' };
  const canonical = canonicalIpv6(text.replace(/%.*$/, ''));
  if (!canonical) return { ok: false, reason: 'is not an IPv4 or IPv6 address' };
  const mapped = IPV4_MAPPED.exec(canonical);
  if (mapped) {
    const high = Number.parseInt(mapped[1] as string, 16);
    const low = Number.parseInt(mapped[2] as string, 16);
    return {
      ok: true,
      value: `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`,
      family: 4,
    };
  }
  return { ok: true, value: canonical, family: 6 };
}

/** The WHATWG URL parser is a complete IPv6 parser available on every runtime. */
function canonicalIpv6(text: string): string | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return undefined;
  try {
    const host = new URL(`http://[${text}]/`).hostname;
    return host.slice(1, -1);
  } catch {
    return undefined;
  }
}

/** User agent: trim leading/trailing spaces [WC]. */
export function normalizeUserAgent(raw: string): Normalized {
  const value = raw.trim();
  if (value === '') return { ok: false, reason: 'is empty' };
  return { ok: true, value };
}

/**
 * twclid: opaque and X-generated, sent unhashed. Trimmed and checked only
 * against the shared wire-contract pattern (URL-safe characters, sane length),
 * so a future change in X's format is not rejected here.
 */
export function normalizeTwclid(
  raw: string,
): { ok: true; value: Twclid } | { ok: false; reason: string } {
  const value = raw.trim();
  if (value === '') return { ok: false, reason: 'is empty' };
  if (value.length > TWCLID_MAX_LENGTH) {
    return { ok: false, reason: `is longer than ${TWCLID_MAX_LENGTH} characters` };
  }
  if (!TWCLID_PATTERN.test(value)) {
    return { ok: false, reason: 'may only contain letters, digits and - . _ ~' };
  }
  return { ok: true, value: value as Twclid };
}
