import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAuthorization, verifyRfc5849 } from '../test/rfc5849-verify.ts';
import {
  baseStringUri,
  oauth1Authorization,
  oauth1Signature,
  percentEncode,
  randomNonce,
} from './oauth1.ts';

// X's worked example, docs.x.com/resources/fundamentals/authentication/oauth-1-0a/creating-a-signature
// (docs/x-api.md §3).
const X_EXAMPLE = {
  method: 'POST',
  url: 'https://api.twitter.com/1.1/statuses/update.json?include_entities=true',
  form: { status: 'Hello Ladies + Gentlemen, a signed OAuth request!' },
  credentials: {
    consumerKey: 'xvz1evFS4wEEPTGEFPHBog',
    consumerSecret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
    accessToken: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb',
    accessTokenSecret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
  },
  nonce: 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg',
  timestamp: 1318622958,
};

describe('OAuth 1.0a HMAC-SHA1 signature', () => {
  it('reproduces X’s worked example: hCtSmYh+iHYCEqBWrE7C7hYmtUk=', () => {
    expect(oauth1Signature(X_EXAMPLE)).toBe('hCtSmYh+iHYCEqBWrE7C7hYmtUk=');
  });

  it('reproduces the api.x.com variant on the current docs page: Ls93hJiZbQ3akF3HF3x1Bz8/zU4=', () => {
    expect(
      oauth1Signature({
        ...X_EXAMPLE,
        url: 'https://api.x.com/1.1/statuses/update.json?include_entities=true',
      }),
    ).toBe('Ls93hJiZbQ3akF3HF3x1Bz8/zU4=');
  });

  it('prints the header as X documents it: sorted k="v" pairs joined by ", "', () => {
    expect(oauth1Authorization(X_EXAMPLE)).toBe(
      'OAuth oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog", ' +
        'oauth_nonce="kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", ' +
        'oauth_signature="hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D", ' +
        'oauth_signature_method="HMAC-SHA1", ' +
        'oauth_timestamp="1318622958", ' +
        'oauth_token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", ' +
        'oauth_version="1.0"',
    );
  });

  it('signs a conversions call with only the six oauth_* values (JSON body not signed)', () => {
    const request = {
      method: 'POST',
      url: 'https://ads-api.x.com/12/measurement/conversions/o8z6j',
      credentials: X_EXAMPLE.credentials,
      nonce: 'abc123',
      timestamp: 1700000000,
    };
    const header = oauth1Authorization(request);
    expect([...parseAuthorization(header).keys()]).toEqual([
      'oauth_consumer_key',
      'oauth_nonce',
      'oauth_signature',
      'oauth_signature_method',
      'oauth_timestamp',
      'oauth_token',
      'oauth_version',
    ]);
    expect(
      verifyRfc5849({
        method: 'POST',
        url: request.url,
        authorization: header,
        consumerSecret: X_EXAMPLE.credentials.consumerSecret,
        tokenSecret: X_EXAMPLE.credentials.accessTokenSecret,
      }),
    ).toBe(true);
  });

  it('changes with every input that RFC 5849 signs', () => {
    const base = oauth1Signature(X_EXAMPLE);
    expect(oauth1Signature({ ...X_EXAMPLE, nonce: 'other' })).not.toBe(base);
    expect(oauth1Signature({ ...X_EXAMPLE, timestamp: 1318622959 })).not.toBe(base);
    expect(oauth1Signature({ ...X_EXAMPLE, method: 'GET' })).not.toBe(base);
    expect(
      oauth1Signature({
        ...X_EXAMPLE,
        credentials: { ...X_EXAMPLE.credentials, accessTokenSecret: 'x' },
      }),
    ).not.toBe(base);
  });

  it('verifies independently for awkward URLs, queries and secrets (property)', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 12 });
    fc.assert(
      fc.property(
        fc.constantFrom(
          'https://ADS-API.X.com:443/12/accounts/18ce552mlaq/authenticated_user_access',
          'http://127.0.0.1:8787/12/measurement/conversions/o8z6j',
          'https://api.x.com/oauth/request_token',
        ),
        fc.array(
          fc.tuple(
            text.filter((k) => k !== '__proto__'),
            text,
          ),
          { maxLength: 4 },
        ),
        text,
        text,
        fc.constantFrom('GET', 'POST', 'post'),
        (url, query, consumerSecret, tokenSecret, method) => {
          const full = new URL(url);
          for (const [k, v] of query) full.searchParams.append(k, v);
          const header = oauth1Authorization({
            method,
            url: full.href,
            credentials: {
              consumerKey: 'key',
              consumerSecret,
              accessToken: 'token',
              accessTokenSecret: tokenSecret,
            },
            nonce: randomNonce(),
            timestamp: 1700000000,
          });
          expect(
            verifyRfc5849({
              method,
              url: full.href,
              authorization: header,
              consumerSecret,
              tokenSecret,
            }),
          ).toBe(true);
        },
      ),
    );
  });

  it("escapes ! ' ( ) * inside the signature base string, not only in the helper", () => {
    const url = "https://api.x.com/x?q=!'()*";
    const credentials = { ...X_EXAMPLE.credentials, consumerSecret: "s!'()*" };
    const header = oauth1Authorization({
      method: 'GET',
      url,
      credentials,
      nonce: 'n',
      timestamp: 1,
    });
    expect(
      verifyRfc5849({
        method: 'GET',
        url,
        authorization: header,
        consumerSecret: "s!'()*",
        tokenSecret: credentials.accessTokenSecret,
      }),
    ).toBe(true);
  });

  it('signs parameters named like Object.prototype members (regression: "toString" broke it)', () => {
    const url = 'https://api.x.com/x?toString=&constructor=1&hasOwnProperty=2';
    const header = oauth1Authorization({
      method: 'GET',
      url,
      credentials: X_EXAMPLE.credentials,
      nonce: 'n',
      timestamp: 1,
    });
    expect(
      verifyRfc5849({
        method: 'GET',
        url,
        authorization: header,
        consumerSecret: X_EXAMPLE.credentials.consumerSecret,
        tokenSecret: X_EXAMPLE.credentials.accessTokenSecret,
      }),
    ).toBe(true);
    expect(() =>
      oauth1Authorization({
        method: 'GET',
        url: 'https://api.x.com/x?__proto__=1',
        credentials: X_EXAMPLE.credentials,
      }),
    ).toThrow(/__proto__/);
  });

  it('decodes + in a query as a space (regression: oauth-1.0a’s own query parser does not)', () => {
    const signed = (url: string) =>
      oauth1Signature({ ...X_EXAMPLE, form: {}, url, nonce: 'n', timestamp: 1 });
    expect(signed('https://api.x.com/x?q=a+b')).toBe(signed('https://api.x.com/x?q=a%20b'));
    expect(signed('https://api.x.com/x?a%20b=1')).toBe(signed('https://api.x.com/x?a+b=1'));
  });

  it('signs the 3-legged request_token call with oauth_callback and no token', () => {
    const header = oauth1Authorization({
      method: 'POST',
      url: 'https://api.x.com/oauth/request_token',
      credentials: { consumerKey: 'ck', consumerSecret: 'cs' },
      oauthParams: { oauth_callback: 'oob' },
      nonce: 'n',
      timestamp: 1,
    });
    const params = parseAuthorization(header);
    expect(params.get('oauth_callback')).toBe('oob');
    expect(params.has('oauth_token')).toBe(false);
    expect(
      verifyRfc5849({
        method: 'POST',
        url: 'https://api.x.com/oauth/request_token',
        authorization: header,
        consumerSecret: 'cs',
      }),
    ).toBe(true);
  });
});

describe('percentEncode (RFC 3986 §2.1)', () => {
  it("escapes ! ' ( ) * which encodeURIComponent leaves alone", () => {
    expect(percentEncode("!'()*")).toBe('%21%27%28%29%2A');
  });

  it('keeps only unreserved characters, uppercase hex, UTF-8, space as %20', () => {
    expect(percentEncode('Az09-._~ +/?☃')).toBe('Az09-._~%20%2B%2F%3F%E2%98%83');
  });

  it('leaves nothing but unreserved characters and %XX (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const encoded = percentEncode(text);
        expect(encoded).toMatch(/^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/);
        expect(decodeURIComponent(encoded)).toBe(text);
      }),
    );
  });
});

describe('baseStringUri (RFC 5849 §3.4.1.2)', () => {
  it.each([
    ['HTTPS://Ads-API.X.com:443/12/x?y=1#z', 'https://ads-api.x.com/12/x'],
    ['http://localhost:80/a', 'http://localhost/a'],
    ['http://localhost:8787/a', 'http://localhost:8787/a'],
  ])('%s → %s', (url, expected) => {
    expect(baseStringUri(url)).toBe(expected);
  });
});

describe('randomNonce', () => {
  it('is alphanumeric and unique', () => {
    const nonces = new Set(Array.from({ length: 200 }, randomNonce));
    expect(nonces.size).toBe(200);
    for (const nonce of nonces) expect(nonce).toMatch(/^[A-Za-z0-9]{16,32}$/);
  });
});
