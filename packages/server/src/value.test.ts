import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serializeValue } from './value.ts';

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
