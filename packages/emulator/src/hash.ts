/**
 * Hashing of identifiers the Pixel stand-in receives raw. The real Pixel hashes
 * email and phone in the browser; this stand-in hashes them on arrival so the
 * raw value never reaches a stored record.
 */
import { createHash } from 'node:crypto';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** True for a lowercase 64-hex SHA-256 digest, the form X expects [REF12]. */
export function isSha256Hex(value: string): boolean {
  return SHA256_HEX.test(value);
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Email: trim and lowercase, then SHA-256 [REF12]. An existing digest passes through [GTM]. */
export function hashEmail(raw: string): string | undefined {
  const value = raw.trim().toLowerCase();
  if (value === '') return undefined;
  return isSha256Hex(value) ? value : sha256Hex(value);
}

/**
 * Phone: E.164 with the leading `+` [REF12]. Kept deliberately simple: digits
 * only, prefixed with `+`; a leading international `00` becomes `+`. An
 * existing digest passes through.
 */
export function hashPhone(raw: string): string | undefined {
  const trimmed = raw.trim();
  if (isSha256Hex(trimmed.toLowerCase())) return trimmed.toLowerCase();
  let digits = trimmed.replace(/\D/g, '');
  if (!trimmed.startsWith('+') && digits.startsWith('00')) digits = digits.slice(2);
  if (digits === '') return undefined;
  return sha256Hex(`+${digits}`);
}
