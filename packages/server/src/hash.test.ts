import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashIdentifier, isSha256Hex, sha256Hex } from './hash.ts';

describe('sha256Hex', () => {
  // Test vectors from X's Conversion API docs (docs.x.com web-conversions setup
  // guide and api-reference/conversions), as collected in docs/x-api.md §1.
  it.each([
    ['test@twitter.com', 'd360d510a224510f373931ce2d6215a799f5a9c1cef221b0149b6b6b50cced62'],
    ['test-email@test.com', 'e586883b2b4faf78d48300a79e0e15138d664cdf796ffb86e533170a9893eda8'],
    ['+11234567890', '1fa6b8d986d9b9cd01bf36951815158bbde9f520c0567c835dfe34783d0a4231'],
  ])('hashes %s to X’s documented digest', (input, digest) => {
    expect(sha256Hex(input)).toBe(digest);
  });

  it('differs without the leading + of E.164 (docs/x-api.md: "without the + the digest differs")', () => {
    expect(sha256Hex('11234567890')).not.toBe(
      '1fa6b8d986d9b9cd01bf36951815158bbde9f520c0567c835dfe34783d0a4231',
    );
  });

  // FIPS 180-2 / NIST example vectors.
  it.each([
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ])('matches the NIST vector for %j', (input, digest) => {
    expect(sha256Hex(input)).toBe(digest);
  });

  it('agrees with node:crypto on arbitrary Unicode text (UTF-8 bytes are hashed)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
      }),
    );
  });
});

describe('hashIdentifier', () => {
  it('passes an existing digest through, lowercased (X’s server tag does the same)', () => {
    const digest = 'D360D510A224510F373931CE2D6215A799F5A9C1CEF221B0149B6B6B50CCED62';
    expect(hashIdentifier(digest)).toBe(digest.toLowerCase());
  });

  it('hashes anything that is not a digest', () => {
    expect(hashIdentifier('test@twitter.com')).toBe(
      'd360d510a224510f373931ce2d6215a799f5a9c1cef221b0149b6b6b50cced62',
    );
  });

  it.each([
    ['63 hex digits', 'a'.repeat(63), false],
    ['65 hex digits', 'a'.repeat(65), false],
    ['a non-hex letter', `${'a'.repeat(63)}g`, false],
    ['64 uppercase hex', 'A'.repeat(64), true],
  ])('isSha256Hex: %s → %s', (_name, value, expected) => {
    expect(isSha256Hex(value)).toBe(expected);
  });
});
