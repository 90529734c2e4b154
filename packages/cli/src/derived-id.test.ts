import type { CapiConversion } from '@twclid-kit/server';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { derivedConversionId } from './derived-id.ts';

const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const conversion = fc.record({
  conversion_time: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  event_id: fc.constantFrom('o87ne', 'tw-o8z6j-o87ne', 'o87nf'),
  identifiers: fc.array(
    fc.oneof(
      fc.record({ twclid: fc.stringMatching(/^[a-z0-9]{1,26}$/) }),
      fc.record({ hashed_email: fc.stringMatching(/^[0-9a-f]{64}$/) }),
    ),
    { minLength: 1, maxLength: 3 },
  ),
  value: fc.option(fc.stringMatching(/^\d{1,4}\.\d{2}$/), { nil: undefined }),
}) as fc.Arbitrary<CapiConversion>;

describe('derivedConversionId', () => {
  it('is deterministic, UUID-shaped, and ignores key order and any existing conversion_id', () => {
    fc.assert(
      fc.property(conversion, fc.integer({ min: 1, max: 10_000_000 }), (c, line) => {
        const id = derivedConversionId(line, c);
        expect(id).toMatch(UUID_V8);
        const reordered = Object.fromEntries(Object.entries(c).reverse()) as CapiConversion;
        expect(derivedConversionId(line, { ...reordered, conversion_id: 'x' })).toBe(id);
      }),
    );
  });

  it('differs between lines, rows and namespaces', () => {
    fc.assert(
      fc.property(conversion, conversion, fc.integer({ min: 1, max: 1e6 }), (a, b, line) => {
        expect(derivedConversionId(line, a)).not.toBe(derivedConversionId(line + 1, a));
        expect(derivedConversionId(line, a)).not.toBe(derivedConversionId(line, a, 'ns'));
        if (JSON.stringify(a) !== JSON.stringify(b)) {
          expect(derivedConversionId(line, a)).not.toBe(derivedConversionId(line, b));
        }
      }),
    );
  });

  it('stays the same across releases (regression: resumed uploads must re-send the same IDs)', () => {
    expect(
      derivedConversionId(2, {
        conversion_time: '2026-11-28T10:00:00.000Z',
        event_id: 'o87ne',
        identifiers: [{ twclid: '23opevjt88psuo13lu8d020qkn' }],
      }),
    ).toMatchInlineSnapshot(`"1b01f5e1-27a4-80b6-aa14-986ce6f83d40"`);
  });
});
