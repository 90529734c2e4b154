import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pageUrl, paramAllowed } from './page-url.ts';

describe('pageUrl', () => {
  it.each([
    ['https://shop.example/pay?email=a@b.c&reset_token=x#f', [], 'https://shop.example/pay'],
    ['https://shop.example/pay?', [], 'https://shop.example/pay'],
    ['https://shop.example/pay#top', [], 'https://shop.example/pay'],
    ['https://ann:secret@shop.example/pay', [], 'https://shop.example/pay'],
    [' http://shop.example:8080/a/b ', [], 'http://shop.example:8080/a/b'],
    ['https://shop.example/ä b?q=1', ['q'], 'https://shop.example/%C3%A4%20b?q=1'],
    [
      'https://shop.example/?utm_source=x&email=a%40b.c&utm_medium=cpc&gclid=1#f',
      ['utm_*'],
      'https://shop.example/?utm_source=x&utm_medium=cpc',
    ],
    ['https://shop.example/?utm_source=x', ['utm_source'], 'https://shop.example/?utm_source=x'],
    ['https://shop.example/?utm_source=x', ['UTM_*'], 'https://shop.example/'], // case-sensitive
    ['https://shop.example/?a+b=1&c=2', ['a b'], 'https://shop.example/?a+b=1'],
    ['https://shop.example/?ref=a%26email%3Dx', ['ref'], 'https://shop.example/?ref=a%26email%3Dx'],
    ['https://shop.example/?ref&ref=2', ['ref'], 'https://shop.example/?ref&ref=2'],
  ] as const)('%s with %j → %s', (raw, allowed, expected) => {
    expect(pageUrl(raw, allowed)).toEqual({ ok: true, value: expected });
  });

  it.each([
    '',
    'shop.example/pay',
    '/pay?email=a@b.c',
    'javascript:alert(1)',
    'ftp://shop.example/',
    'data:text/html,hi',
    'android-app://com.example/',
    'https://',
  ])('refuses %j (not an absolute http(s) URL)', (raw) => {
    expect(pageUrl(raw)).toEqual({ ok: false, reason: 'must be an absolute http(s) URL' });
  });

  const allowList = fc.array(
    fc.oneof(
      fc.constantFrom('utm_*', 'utm_source', 'ref', 'q', 'a*'),
      fc.stringMatching(/^[a-z_]{1,6}\*?$/),
    ),
    { maxLength: 4 },
  );
  const param = fc.oneof(
    fc.constantFrom('utm_source', 'utm_medium', 'email', 'reset_token', 'ref', 'q', 'a', 'ab'),
    fc.string({ maxLength: 8 }),
  );
  const query = fc.array(fc.tuple(param, fc.string({ maxLength: 8 })), { maxLength: 6 });

  it('never keeps a parameter the list does not allow, nor a fragment or credentials', () => {
    fc.assert(
      fc.property(query, allowList, fc.string({ maxLength: 8 }), (pairs, allowed, hash) => {
        const url = new URL('https://user:pw@shop.example/p');
        url.search = new URLSearchParams(pairs).toString();
        url.hash = hash;
        const result = pageUrl(url.href, allowed);
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        const kept = new URL(result.value);
        for (const name of kept.searchParams.keys()) expect(paramAllowed(name, allowed)).toBe(true);
        expect(kept.hash).toBe('');
        expect(kept.username + kept.password).toBe('');
        // Every allowed pair is kept, in order.
        const expected = pairs.filter(([name]) => paramAllowed(name, allowed));
        expect([...kept.searchParams]).toEqual(expected);
      }),
    );
  });

  it('never throws, and whatever it keeps is an http(s) URL without a fragment', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.webUrl({ withQueryParameters: true, withFragments: true })),
        allowList,
        (raw, allowed) => {
          const result = pageUrl(raw, allowed);
          if (result.ok) {
            const url = new URL(result.value);
            expect(['http:', 'https:']).toContain(url.protocol);
            expect(result.value).not.toContain('#');
          }
        },
      ),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(
        fc.webUrl({ withQueryParameters: true, withFragments: true }),
        allowList,
        (raw, allowed) => {
          const once = pageUrl(raw, allowed);
          if (once.ok) expect(pageUrl(once.value, allowed)).toEqual(once);
        },
      ),
    );
  });
});

describe('paramAllowed', () => {
  it.each([
    ['utm_source', ['utm_*'], true],
    ['utm_', ['utm_*'], true],
    ['xutm_source', ['utm_*'], false],
    ['ref', ['ref'], true],
    ['referrer', ['ref'], false],
    ['anything', [], false],
  ] as const)('%s in %j: %s', (name, allowed, expected) => {
    expect(paramAllowed(name, allowed)).toBe(expected);
  });
});
