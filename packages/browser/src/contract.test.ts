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
