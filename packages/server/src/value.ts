/**
 * How a conversion's `value` goes on the wire.
 *
 * X documents `value` as a double but its own example sends the string
 * `"20.00"` [REF12] [WC]. The kit sends a plain decimal string (no exponent)
 * and keeps the precision it was given: `20` → `"20"`, `"20.00"` → `"20.00"`,
 * `19.999` → `"19.999"`. It does not force two decimals, because currencies
 * differ in minor units (JPY has none, KWD and BHD have three), and rounding
 * here would silently change revenue. A string keeps a decimal such as
 * `"0.10"` exact where a double could not.
 */
export type SerializedValue = { ok: true; value: string } | { ok: false; reason: string };

const DECIMAL = /^\d+(?:\.\d+)?$/;

/** Serializes a conversion value (number or numeric string) to X's decimal-string form. */
export function serializeValue(input: number | string): SerializedValue {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return { ok: false, reason: 'must be a finite number' };
    if (input < 0) return { ok: false, reason: 'must not be negative' };
    const text = String(input);
    // String() switches to exponent notation below 1e-6 and from 1e21.
    if (text.includes('e')) {
      return { ok: false, reason: 'is too small or too large to send as a plain decimal' };
    }
    return { ok: true, value: text };
  }
  const text = input.trim();
  if (text.startsWith('-')) return { ok: false, reason: 'must not be negative' };
  if (!DECIMAL.test(text)) {
    return { ok: false, reason: 'must be a plain decimal number such as "20.00"' };
  }
  return { ok: true, value: text.replace(/^0+(?=\d)/, '') };
}

/** Largest `value` (and `contents[].content_price`) accepted: one billion in the currency's units. */
export const VALUE_MAX = 1_000_000_000;

/**
 * Most significant digits accepted: 17, all a double (X's documented type for
 * `value` [REF12]) can hold. Every number JavaScript prints is within it.
 */
export const VALUE_MAX_DIGITS = 17;

/**
 * {@link serializeValue} for a conversion's amount, within the kit's range
 * (X documents none): 0 ≤ value ≤ {@link VALUE_MAX}, at most
 * {@link VALUE_MAX_DIGITS} significant digits. A value beyond it is a bug or
 * junk, never revenue, and would skew every report it reaches.
 */
export function serializeAmount(input: number | string): SerializedValue {
  const serialized = serializeValue(input);
  if (!serialized.ok) return serialized;
  const text = serialized.value;
  if (Number(text) > VALUE_MAX) {
    return { ok: false, reason: `must be at most ${VALUE_MAX} (one billion)` };
  }
  const digits = text.replace('.', '').replace(/^0+/, '').length;
  if (digits > VALUE_MAX_DIGITS) {
    return { ok: false, reason: `must have at most ${VALUE_MAX_DIGITS} significant digits` };
  }
  return serialized;
}
