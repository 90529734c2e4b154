/** Flag values shared by several commands, checked into typed values or a usage error. */
import { type CountryCode, isPhoneCountry } from '@twclid-kit/server/core';
import { UsageError } from './exit-codes.ts';

/** `--default-country`: an ISO 3166-1 alpha-2 code the phone library knows. */
export function defaultCountry(value: string | undefined): CountryCode | undefined {
  if (value === undefined) return undefined;
  const code = value.trim().toUpperCase();
  if (!isPhoneCountry(code)) {
    throw new UsageError(
      `--default-country must be an ISO 3166-1 alpha-2 code such as US or DE, not "${value}"`,
    );
  }
  return code;
}

/** A positive integer flag value, or a usage error naming the flag. */
export function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer`);
  return n;
}
