import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeClick, encodeClick, TWCLID_PATTERN } from './contract.ts';

describe('click cookie format', () => {
  it('round-trips any valid click', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(TWCLID_PATTERN),
        fc.integer({ min: 0, max: 8.64e15 }),
        (twclid, clickedAt) => {
          expect(decodeClick(encodeClick({ twclid, clickedAt }))).toEqual({ twclid, clickedAt });
        },
      ),
    );
  });

  it('accepts exactly the IDs TWCLID_PATTERN accepts', () => {
    // decodeClick spells the ID rule out in its own regex: keep the two in step.
    fc.assert(
      fc.property(
        fc.oneof(
          fc.stringMatching(TWCLID_PATTERN),
          fc.string({ maxLength: 300, unit: 'binary' }),
          fc.string({ minLength: 250, maxLength: 260, unit: fc.constantFrom('a', '.', '~') }),
        ),
        (id) => {
          expect(decodeClick(`1.5.${id}`) !== undefined).toBe(TWCLID_PATTERN.test(id));
        },
      ),
    );
  });

  it('decodes X-style IDs and keeps dots inside the ID', () => {
    expect(decodeClick('1.1700000000000.23opevjt88psuo13lu8d020qkn')).toEqual({
      twclid: '23opevjt88psuo13lu8d020qkn',
      clickedAt: 1700000000000,
    });
    expect(decodeClick('1.5.a.b')).toEqual({ twclid: 'a.b', clickedAt: 5 });
  });

  it.each([
    '',
    null,
    undefined,
    '23opevjt88psuo13lu8d020qkn',
    '2.5.abc',
    '1.x.abc',
    '1.5.',
    '1.5.a b',
    `1.5.${'a'.repeat(257)}`,
  ])('rejects %j', (value) => {
    expect(decodeClick(value)).toBeUndefined();
  });
});
