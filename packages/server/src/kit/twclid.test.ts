import { TWCLID_PATTERN } from '@twclid-kit/browser/contract';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTwclid, parseTwclid } from './twclid.ts';

describe('checkTwclid', () => {
  it('accepts every ID TWCLID_PATTERN accepts, unchanged', () => {
    fc.assert(
      fc.property(fc.stringMatching(TWCLID_PATTERN), (id) => {
        expect(checkTwclid(id)).toEqual({ ok: true, twclid: id });
      }),
    );
  });

  it('trims surrounding spaces (one rule with buildConversion, which sends the trimmed ID)', () => {
    expect(parseTwclid('  abc123 ')).toBe('abc123');
  });

  it.each([undefined, null, '', '   '])('treats %j as no click, not an error', (raw) => {
    expect(checkTwclid(raw)).toEqual({ ok: true, twclid: undefined });
  });

  it.each([
    ['no spaces <>', 'may only contain letters, digits and - . _ ~'],
    ['a'.repeat(257), 'is longer than 256 characters'],
    [42, 'must be a string'],
    [{ twclid: 'abc' }, 'must be a string'],
    [['abc'], 'must be a string'],
  ])('refuses %j: twclid %s', (raw, reason) => {
    expect(checkTwclid(raw)).toEqual({ ok: false, reason });
    expect(parseTwclid(raw)).toBeUndefined();
  });
});
