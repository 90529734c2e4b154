import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serializeAmount, serializeValue, VALUE_MAX } from './value.ts';

describe('serializeValue', () => {
  it.each([
    ['20.00', '20.00'], // X's own example sends "20.00" (web-conversions guide)
    [' 20.00 ', '20.00'],
    ['0020.5', '20.5'],
    ['0.10', '0.10'],
    ['0', '0'],
    ['1234.567', '1234.567'], // three minor units (KWD, BHD) are kept
    [20, '20'],
    [19.99, '19.99'],
    [0.1, '0.1'],
    [1e20, '100000000000000000000'],
  ] as const)('%j → %j', (input, expected) => {
    expect(serializeValue(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    [-1, /negative/],
    ['-5.00', /negative/],
    [Number.NaN, /finite/],
    [Number.POSITIVE_INFINITY, /finite/],
    [1e21, /plain decimal/],
    [1e-7, /plain decimal/],
    ['20,00', /plain decimal/],
    ['1e3', /plain decimal/],
    ['$20', /plain decimal/],
    ['', /plain decimal/],
    ['.5', /plain decimal/],
  ] as const)('rejects %j', (input, reason) => {
    const result = serializeValue(input);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it('keeps a number’s value exactly (round trip through Number)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e20, noNaN: true }), (n) => {
        const result = serializeValue(n);
        expect(result.ok).toBe(true);
        if (result.ok) {
          expect(result.value).toMatch(/^\d+(\.\d+)?$/);
          expect(Number(result.value)).toBe(n);
        }
      }),
    );
  });

  it('is idempotent on its own output', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,12}(\.\d{1,6})?$/), (text) => {
        const once = serializeValue(text);
        expect(once.ok).toBe(true);
        if (once.ok) expect(serializeValue(once.value)).toEqual(once);
      }),
    );
  });
});

describe('serializeAmount (the kit’s range for value and content_price)', () => {
  it.each([
    ['20.00', '20.00'],
    [0, '0'],
    ['1000000000', '1000000000'],
    [VALUE_MAX, '1000000000'],
    [0.1 + 0.2, '0.30000000000000004'], // what a double prints: 17 significant digits
    ['999999999.99', '999999999.99'],
  ] as const)('%j → %j', (input, expected) => {
    expect(serializeAmount(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['12345678901234567890123456789012', /at most 1000000000/], // 32 digits
    ['1000000000.01', /at most 1000000000/],
    [1e20, /at most 1000000000/],
    ['0.123456789012345678', /17 significant digits/],
    ['-1', /negative/],
    [Number.NaN, /finite/],
  ] as const)('refuses %j', (input, reason) => {
    const result = serializeAmount(input);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it('accepts every number JavaScript prints as a plain decimal within the range, exactly', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: VALUE_MAX, noNaN: true }), (n) => {
        expect(serializeAmount(n)).toEqual(serializeValue(n));
        expect(serializeAmount(n).ok).toBe(true);
      }),
    );
  });

  it('refuses everything above the range', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9]\d{10,31}(\.\d{1,2})?$/), (text) => {
        expect(serializeAmount(text).ok).toBe(false);
      }),
    );
  });
});
