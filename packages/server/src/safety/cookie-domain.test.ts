import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clickCookieDomain } from './cookie-domain.ts';

describe('clickCookieDomain', () => {
  it.each([
    ['example.com', 'shop.example.com', 'example.com'],
    ['example.com', 'a.b.example.com:8443', 'example.com'],
    ['shop.example.com', 'shop.example.com', 'shop.example.com'],
    ['.Example.COM', 'Shop.Example.com', 'example.com'],
    ['example.co.uk', 'shop.example.co.uk', 'example.co.uk'],
  ])('accepts %s on %s (the host or a parent domain)', (requested, host, expected) => {
    expect(clickCookieDomain(requested, host)).toBe(expected);
  });

  it.each([
    ['foreign domain', 'evil.com', 'shop.example.com'],
    ['a sibling', 'other.example.com', 'shop.example.com'],
    ['a child of the host', 'deeper.shop.example.com', 'shop.example.com'],
    ['a suffix that is not a label boundary', 'ample.com', 'shop.example.com'],
    ['a single label (top-level domain)', 'com', 'shop.example.com'],
    ['a single label (.test)', 'test', 'shop.twclid.test'],
    ['a single-label host', 'localhost', 'localhost:3000'],
    ['an IPv4 host', '0.1', '127.0.0.1'],
    ['an IPv6 host', '1]', '[::1]:8080'],
    ['header injection', 'example.com; Secure', 'shop.example.com'],
    ['an empty string (the script found no domain)', '', 'shop.example.com'],
    ['a number', 42, 'shop.example.com'],
    ['nothing', undefined, 'shop.example.com'],
  ])('refuses %s: host-only', (_why, requested, host) => {
    expect(clickCookieDomain(requested, host)).toBeUndefined();
  });

  it('only ever returns the host or one of its parents with at least two labels', () => {
    const label = fc.stringMatching(/^[a-z0-9-]{1,8}$/);
    fc.assert(
      fc.property(
        fc.array(label, { minLength: 1, maxLength: 5 }),
        fc.oneof(
          fc.string(),
          fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.')),
        ),
        (hostLabels, requested) => {
          const host = `${hostLabels.join('.')}x`;
          const domain = clickCookieDomain(requested, host);
          if (domain === undefined) return;
          expect(domain.split('.').length).toBeGreaterThanOrEqual(2);
          expect(host === domain || host.endsWith(`.${domain}`)).toBe(true);
        },
      ),
    );
  });
});
