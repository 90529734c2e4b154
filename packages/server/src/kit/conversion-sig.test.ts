import { createHmac, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createConversionSigner, isRandomUuid, trustsConversionId } from './conversion-sig.ts';

const SECRET = 'kit-test-secret-0123456789abcdefghij';

describe('createConversionSigner', () => {
  it('matches RFC 4231 test case 2 (HMAC-SHA256, key "Jefe"), in base64url', () => {
    // RFC 4231 §4.3: HMAC-SHA-256("Jefe", "what do ya want for nothing?") =
    // 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843.
    const hex = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
    const expected = Buffer.from(hex, 'hex').toString('base64url');
    expect(expected).toBe('W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM');
    expect(createConversionSigner('Jefe').sign('what do ya want for nothing?')).toBe(expected);
  });

  it('signs an order number as node:crypto computes it', () => {
    // Fixed vector computed with node:crypto createHmac('sha256', SECRET).update('order-1003').
    expect(createConversionSigner(SECRET).sign('order-1003')).toBe(
      'VSxVNncSHBQWmhtnDYSNTnsz9eE8rxGQVPpzcc_tyVI',
    );
  });

  it('agrees with node:crypto on any ID and secret (UTF-8 bytes are signed)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 32 }), fc.string({ unit: 'grapheme' }), (key, id) => {
        const expected = createHmac('sha256', key).update(id, 'utf8').digest('base64url');
        expect(createConversionSigner(key).sign(id)).toBe(expected);
      }),
    );
  });

  it("verifies the ID's own signature and nothing else", () => {
    const signer = createConversionSigner(SECRET);
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (id, other) => {
        const sig = signer.sign(id);
        expect(signer.verify(id, sig)).toBe(true);
        if (other !== id) expect(signer.verify(other, sig)).toBe(false);
      }),
    );
  });

  it('refuses a signature with any one character changed, cut or added', () => {
    const signer = createConversionSigner(SECRET);
    const sig = signer.sign('order-1003');
    fc.assert(
      fc.property(fc.nat(sig.length - 1), fc.constantFrom(...'AZaz09-_'), (at, char) => {
        const flipped = sig.slice(0, at) + char + sig.slice(at + 1);
        if (flipped !== sig) expect(signer.verify('order-1003', flipped)).toBe(false);
      }),
    );
    expect(signer.verify('order-1003', sig.slice(0, -1))).toBe(false);
    expect(signer.verify('order-1003', `${sig}A`)).toBe(false);
    expect(signer.verify('order-1003', '')).toBe(false);
  });

  it("refuses another secret's signature", () => {
    const other = createConversionSigner(`${SECRET}!`);
    expect(createConversionSigner(SECRET).verify('order-1003', other.sign('order-1003'))).toBe(
      false,
    );
  });
});

describe('trustsConversionId', () => {
  it('takes random UUIDs without a signature, in either case', () => {
    fc.assert(
      fc.property(fc.uuid({ version: 4 }), (id) => {
        expect(isRandomUuid(id)).toBe(true);
        expect(trustsConversionId(id.toUpperCase(), undefined, undefined)).toBe(true);
      }),
    );
    expect(isRandomUuid(randomUUID())).toBe(true);
  });

  it('refuses other UUID versions and predictable IDs without a valid signature', () => {
    const signer = createConversionSigner(SECRET);
    for (const id of [
      'order-1003',
      '1003',
      'c0ffee00-0000-1000-8000-000000000001', // version 1
      'c0ffee00-0000-4000-c000-000000000001', // variant 110
      ' c0ffee00-0000-4000-8000-000000000001',
    ]) {
      expect(trustsConversionId(id, undefined, signer), id).toBe(false);
      expect(trustsConversionId(id, 'not-a-signature', signer), id).toBe(false);
    }
  });

  it("takes an app's own ID with its signature; without a signer, never", () => {
    const signer = createConversionSigner(SECRET);
    const sig = signer.sign('order-1003');
    expect(trustsConversionId('order-1003', sig, signer)).toBe(true);
    expect(trustsConversionId('order-1004', sig, signer)).toBe(false);
    expect(trustsConversionId('order-1003', sig, undefined)).toBe(false);
  });
});
