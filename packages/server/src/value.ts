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
