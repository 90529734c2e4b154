import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './hash.ts';
import {
  normalizeEmail,
  normalizeIp,
  normalizePhone,
  normalizeTwclid,
  normalizeUserAgent,
} from './normalize.ts';

const ok = (value: string) => ({ ok: true, value });

/** Valid numbers from libphonenumber's metadata (various countries, mobile and fixed). */
const VALID_E164 = [
  '+14155552671',
  '+12025550123',
  '+442079460958',
  '+4915112345678',
  '+33612345678',
  '+819012345678',
  '+61412345678',
  '+5511987654321',
  '+919876543210',
];

describe('normalizeEmail', () => {
  it('trims and lowercases (X reference: "trim and lowercase")', () => {
    expect(normalizeEmail('  Test@Twitter.COM \n')).toEqual(ok('test@twitter.com'));
  });

  it('gives X’s documented digest for a padded, mixed-case address', () => {
    const email = normalizeEmail(' TEST@twitter.com ');
    expect(email.ok && sha256Hex(email.value)).toBe(
      // docs/x-api.md §1 vector (X docs: test@twitter.com)
      'd360d510a224510f373931ce2d6215a799f5a9c1cef221b0149b6b6b50cced62',
    );
  });

  it('passes a digest through lowercased', () => {
    expect(normalizeEmail(` ${'AB'.repeat(32)} `)).toEqual(ok('ab'.repeat(32)));
  });

  it.each([
    ['', 'is empty'],
    ['   ', 'is empty'],
    ['Ann Example', 'is not an email address'],
    ['ann@', 'is not an email address'],
    ['ann @example.com', 'is not an email address'],
  ])('rejects %j: %s', (raw, reason) => {
    expect(normalizeEmail(raw)).toEqual({ ok: false, reason });
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        const once = normalizeEmail(email);
        if (!once.ok) return;
        expect(normalizeEmail(once.value)).toEqual(once);
      }),
    );
  });

  it('hashes ignore case and surrounding spaces', () => {
    const space = fc.stringMatching(/^[ \t]{0,3}$/);
    fc.assert(
      fc.property(fc.emailAddress(), space, space, fc.boolean(), (email, before, after, upper) => {
        const variant = `${before}${upper ? email.toUpperCase() : email}${after}`;
        const a = normalizeEmail(email);
        const b = normalizeEmail(variant);
        expect(a.ok && b.ok).toBe(true);
        if (a.ok && b.ok) expect(sha256Hex(b.value)).toBe(sha256Hex(a.value));
      }),
    );
  });
});

describe('normalizePhone', () => {
  it.each([
    ['(415) 555-2671', 'US', '+14155552671'],
    ['415.555.2671', 'US', '+14155552671'],
    ['+1 415 555 2671', undefined, '+14155552671'],
    ['020 7946 0958', 'GB', '+442079460958'],
    ['0151 12345678', 'DE', '+4915112345678'],
    ['0049 151 12345678', 'DE', '+4915112345678'],
    ['+44 20 7946 0958', 'DE', '+442079460958'],
  ] as const)('%s (default %s) → %s', (raw, country, e164) => {
    expect(normalizePhone(raw, country)).toEqual(ok(e164));
  });

  it('needs a default country for a national number, and says so', () => {
    const result = normalizePhone('(415) 555-2671');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/country code/);
  });

  it.each([
    ['+1 123 456 7890', 'is not a valid phone number'],
    ['+49 1', 'is not a phone number'],
    ['call me', 'is not a phone number'],
    ['', 'is empty'],
  ])('rejects %j (never hashed as typed)', (raw, reason) => {
    expect(normalizePhone(raw, 'US')).toEqual({ ok: false, reason });
  });

  it('passes a digest through lowercased', () => {
    expect(normalizePhone('F'.repeat(64))).toEqual(ok('f'.repeat(64)));
  });

  it('formatted and E.164 forms of one number hash the same', () => {
    const separator = fc.constantFrom('', ' ', '-', '.', ' - ');
    fc.assert(
      fc.property(
        fc.constantFrom(...VALID_E164),
        fc.array(separator, { minLength: 20, maxLength: 20 }),
        fc.stringMatching(/^ {0,2}$/),
        (e164, seps, pad) => {
          const digits = e164.slice(1).split('');
          const formatted = `${pad}+${digits.map((d, i) => d + (seps[i] ?? '')).join('')}${pad}`;
          const result = normalizePhone(formatted);
          expect(result).toEqual(ok(e164));
          expect(result.ok && sha256Hex(result.value)).toBe(sha256Hex(e164));
        },
      ),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.constantFrom(...VALID_E164), fc.constantFrom('US', 'GB', 'DE'), (e164, c) => {
        const once = normalizePhone(e164, c);
        expect(once.ok).toBe(true);
        if (once.ok) expect(normalizePhone(once.value, c)).toEqual(once);
      }),
    );
  });
});

describe('normalizeIp', () => {
  it.each([
    [' 8.25.197.25 ', { ok: true, value: '8.25.197.25', family: 4 }],
    ['0.0.0.0', { ok: true, value: '0.0.0.0', family: 4 }],
    ['255.255.255.255', { ok: true, value: '255.255.255.255', family: 4 }],
    ['::ffff:8.25.197.25', { ok: true, value: '8.25.197.25', family: 4 }],
    ['2001:DB8:0:0:0:0:0:1', { ok: true, value: '2001:db8::1', family: 6 }],
    ['fe80::1%eth0', { ok: true, value: 'fe80::1', family: 6 }],
  ])('%j → %o', (raw, expected) => {
    expect(normalizeIp(raw)).toEqual(expected);
  });

  it.each([
    '',
    '256.1.1.1',
    '1.2.3',
    '01.2.3.4',
    '1.2.3.4.5',
    'localhost',
    '1:2:3',
    '[::1]',
    '::1/64',
  ])('rejects %j', (raw) => {
    expect(normalizeIp(raw).ok).toBe(false);
  });

  it('is idempotent over IPv4 and IPv6', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (ip) => {
        const once = normalizeIp(ip);
        expect(once.ok).toBe(true);
        if (once.ok) expect(normalizeIp(once.value)).toEqual(once);
      }),
    );
  });

  it('accepts every dotted-decimal IPv4 unchanged', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(normalizeIp(ip)).toEqual({ ok: true, value: ip, family: 4 });
      }),
    );
  });
});

describe('normalizeUserAgent', () => {
  it('trims', () => {
    expect(normalizeUserAgent('  Mozilla/5.0 (X11)  ')).toEqual(ok('Mozilla/5.0 (X11)'));
    expect(normalizeUserAgent('  ').ok).toBe(false);
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (ua) => {
        const once = normalizeUserAgent(ua);
        if (once.ok) expect(normalizeUserAgent(once.value)).toEqual(once);
      }),
    );
  });
});

describe('normalizeTwclid', () => {
  it('trims and keeps X’s example click ID as is', () => {
    expect(normalizeTwclid(' 23opevjt88psuo13lu8d020qkn ')).toEqual(
      ok('23opevjt88psuo13lu8d020qkn'),
    );
  });

  it('does not over-validate: other URL-safe shapes pass', () => {
    expect(normalizeTwclid('ABC-def_1.2~x').ok).toBe(true);
  });

  it.each([
    ['', /empty/],
    ['a b', /letters, digits/],
    ['<script>', /letters, digits/],
    ['a'.repeat(257), /longer than 256/],
  ])('rejects %j', (raw, reason) => {
    const result = normalizeTwclid(raw);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string(), (raw) => {
        const once = normalizeTwclid(raw);
        if (once.ok) expect(normalizeTwclid(once.value)).toEqual(once);
      }),
    );
  });
});
