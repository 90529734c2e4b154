import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkBody, checkConversion } from './conversion-rules.ts';
import { sha256Hex } from './hash.ts';

const base = { event_id: 'o87ne', identifiers: [{ twclid: 'abc' }] };
const date = fc.date({
  min: new Date('1970-01-01T00:00:00.000Z'),
  max: new Date('9999-12-31T23:59:59.999Z'),
  noInvalidDate: true,
});

describe('conversion_time: exactly what Date#toISOString prints', () => {
  it('accepts every toISOString output (property)', () => {
    fc.assert(
      fc.property(date, (d) => {
        expect(checkConversion({ ...base, conversion_time: d.toISOString() }).errors).toEqual([]);
      }),
    );
  });

  it('rejects the same instant without milliseconds, without Z, or as epoch ms (property)', () => {
    fc.assert(
      fc.property(date, (d) => {
        const iso = d.toISOString();
        for (const variant of [
          iso.replace(/\.\d{3}Z$/, 'Z'),
          iso.slice(0, -1),
          iso.replace('Z', '+00:00'),
          d.getTime(),
        ]) {
          const errors = checkConversion({ ...base, conversion_time: variant }).errors;
          expect(errors.map((e) => e.parameter)).toEqual(['conversion_time']);
        }
      }),
    );
  });
});

describe('identifiers', () => {
  it('accepts any valid combination with a strong identifier (property)', () => {
    const strong = fc.oneof(
      fc
        .string({ minLength: 1 })
        .filter((s) => s.trim() !== '')
        .map((s) => ({ twclid: s })),
      fc.string().map((s) => ({ hashed_email: sha256Hex(s) })),
      fc.string().map((s) => ({ hashed_phone_number: sha256Hex(s) })),
    );
    const weak = fc.constantFrom({ ip_address: '1.2.3.4' }, { user_agent: 'UA' });
    fc.assert(
      fc.property(strong, fc.array(fc.oneof(strong, weak), { maxLength: 4 }), (first, rest) => {
        const check = checkConversion({
          ...base,
          conversion_time: '2026-01-01T00:00:00.000Z',
          identifiers: [first, ...rest],
        });
        expect(check.errors).toEqual([]);
      }),
    );
  });

  it('rejects wrong-typed inputs with an error naming the field, never throwing', () => {
    const wrong: Array<[Record<string, unknown>, string]> = [
      [{ identifiers: [{ twclid: 5 }] }, 'twclid'],
      [{ identifiers: 'abc' }, 'identifiers'],
      [{ identifiers: [null] }, 'identifiers'],
      [{ event_id: 5 }, 'event_id'],
      [{ value: {} }, 'value'],
      [{ price_currency: 840 }, 'price_currency'],
      [{ description: [] }, 'description'],
      [{ event_source_url: 1 }, 'event_source_url'],
      [{ contents: {} }, 'contents'],
      [{ contents: ['x'] }, 'contents'],
      [{ contents: [{ content_price: 'cheap' }] }, 'content_price'],
      [{ contents: [{ content_group_id: 1.5 }] }, 'content_group_id'],
      [{ contents: [{ content_name: 3 }] }, 'content_name'],
    ];
    for (const [overrides, parameter] of wrong) {
      const check = checkConversion({
        ...base,
        conversion_time: '2026-01-01T00:00:00.000Z',
        ...overrides,
      });
      expect(check.errors.map((e) => e.parameter)).toContain(parameter);
    }
  });

  it('never throws on arbitrary JSON (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(() => checkConversion(v)).not.toThrow();
        expect(() => checkBody(v)).not.toThrow();
        expect(() => checkBody({ conversions: v })).not.toThrow();
      }),
    );
  });
});

describe('value, currency and defaults', () => {
  it('defaults price_currency to USD and accepts "20.00" as X’s own example does', () => {
    const check = checkConversion({
      ...base,
      conversion_time: '2026-01-01T00:00:00.000Z',
      value: '20.00',
    });
    expect(check.errors).toEqual([]);
    expect(check.read).toMatchObject({ currency: 'USD', value: '20.00' });
    expect(
      checkConversion({
        ...base,
        conversion_time: '2026-01-01T00:00:00.000Z',
        price_currency: 'EUR',
      }).errors,
    ).toEqual([]);
  });
});
