import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashEmail, hashPhone, isSha256Hex, sha256Hex } from './hash.ts';

describe('identifier hashing (docs/x-api.md test vectors)', () => {
  it('hashes emails trimmed and lowercased', () => {
    // docs/x-api.md §1: SHA-256 of test@twitter.com (X's page prints test@x.com beside it: a docs bug).
    expect(hashEmail('  TEST@twitter.com ')).toBe(
      'd360d510a224510f373931ce2d6215a799f5a9c1cef221b0149b6b6b50cced62',
    );
    expect(hashEmail('test-email@test.com')).toBe(
      'e586883b2b4faf78d48300a79e0e15138d664cdf796ffb86e533170a9893eda8',
    );
    expect(hashEmail('   ')).toBeUndefined();
  });

  it('hashes phones as E.164 with the leading +', () => {
    // docs/x-api.md §1: +11234567890.
    const digest = '1fa6b8d986d9b9cd01bf36951815158bbde9f520c0567c835dfe34783d0a4231';
    expect(hashPhone('+11234567890')).toBe(digest);
    expect(hashPhone('+1 (123) 456-7890')).toBe(digest);
    expect(hashPhone('0011234567890')).toBe(digest);
    expect(sha256Hex('11234567890')).not.toBe(digest);
    expect(hashPhone('no digits')).toBeUndefined();
  });

  it('passes an existing digest through (property)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const d = sha256Hex(s);
        expect(isSha256Hex(d)).toBe(true);
        expect(hashEmail(d)).toBe(d);
        expect(hashPhone(d)).toBe(d);
        expect(hashEmail(d.toUpperCase())).toBe(d);
      }),
    );
  });

  it('is insensitive to case and surrounding spaces for emails (property)', () => {
    fc.assert(
      fc.property(fc.emailAddress(), fc.constantFrom('', ' ', '\t'), (email, pad) => {
        expect(hashEmail(`${pad}${email.toUpperCase()}${pad}`)).toBe(
          sha256Hex(email.toLowerCase()),
        );
      }),
    );
  });
});
