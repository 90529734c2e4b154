import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { oauthHeader } from '../test/helpers.ts';
import {
  baseStringUri,
  hmacSha1Signature,
  parseAuthorizationHeader,
  percentEncode,
  signatureBaseString,
  verifyOAuthRequest,
} from './oauth1-verify.ts';

// X's worked example, docs.x.com/resources/fundamentals/authentication/oauth-1-0a/creating-a-signature
// (as recorded in docs/x-api.md §3).
const X_VECTOR = {
  method: 'POST',
  url: 'https://api.twitter.com/1.1/statuses/update.json',
  params: [
    ['status', 'Hello Ladies + Gentlemen, a signed OAuth request!'],
    ['include_entities', 'true'],
    ['oauth_consumer_key', 'xvz1evFS4wEEPTGEFPHBog'],
    ['oauth_nonce', 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg'],
    ['oauth_signature_method', 'HMAC-SHA1'],
    ['oauth_timestamp', '1318622958'],
    ['oauth_token', '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb'],
    ['oauth_version', '1.0'],
  ] as Array<[string, string]>,
  consumerSecret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
  tokenSecret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
  signature: 'hCtSmYh+iHYCEqBWrE7C7hYmtUk=',
};

describe('percentEncode (RFC 3986 §2.1 as RFC 5849 §3.6 requires)', () => {
  it('escapes the characters encodeURIComponent leaves alone', () => {
    expect(percentEncode("!'()*")).toBe('%21%27%28%29%2A');
    expect(percentEncode('Hello Ladies + Gentlemen')).toBe('Hello%20Ladies%20%2B%20Gentlemen');
    expect(percentEncode('☃')).toBe('%E2%98%83');
    expect(percentEncode('AZaz09-._~')).toBe('AZaz09-._~');
  });

  it('only ever leaves unreserved characters unescaped (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const out = percentEncode(s);
        expect(out).toMatch(/^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/);
        expect(decodeURIComponent(out)).toBe(s);
      }),
    );
  });
});

describe('signature', () => {
  it("reproduces X's worked example", () => {
    const base = signatureBaseString(X_VECTOR.method, X_VECTOR.url, X_VECTOR.params);
    expect(
      base.startsWith(
        'POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26oauth_consumer_key',
      ),
    ).toBe(true);
    expect(hmacSha1Signature(base, X_VECTOR.consumerSecret, X_VECTOR.tokenSecret)).toBe(
      X_VECTOR.signature,
    );
  });

  it('normalizes the base string URI (RFC 5849 §3.4.1.2)', () => {
    expect(baseStringUri(new URL('HTTP://EXAMPLE.com:80/r%20v/X?id=123'))).toBe(
      'http://example.com/r%20v/X',
    );
    expect(baseStringUri(new URL('https://www.example.net:8080/?q=1'))).toBe(
      'https://www.example.net:8080/',
    );
    expect(baseStringUri(new URL('http://127.0.0.1:4123/12/x'))).toBe('http://127.0.0.1:4123/12/x');
  });
});

describe('parseAuthorizationHeader', () => {
  it('reads quoted, percent-encoded pairs and drops realm', () => {
    const p = parseAuthorizationHeader(
      'OAuth realm="X", oauth_consumer_key="a%20b", oauth_nonce="n"',
    );
    expect(p && Object.fromEntries(p)).toEqual({ oauth_consumer_key: 'a b', oauth_nonce: 'n' });
  });
  it('rejects non-OAuth and malformed headers', () => {
    expect(parseAuthorizationHeader('Bearer abc')).toBeUndefined();
    expect(parseAuthorizationHeader('OAuth oauth_nonce=unquoted')).toBeUndefined();
    expect(parseAuthorizationHeader(undefined)).toBeUndefined();
  });
});

describe('verifyOAuthRequest against the independent oauth-1.0a signer', () => {
  const secrets = {
    consumerSecret: (k: string) => (k === 'ck' ? 'cs' : undefined),
    tokenSecret: (t: string) => (t === 'tk' ? 'ts' : undefined),
  };
  const now = 1_800_000_000;
  const opts = (seen = new Set<string>()) => ({
    nowSeconds: now,
    maxSkewSeconds: 300,
    requireToken: true,
    useNonce: (_c: string, _t: string, n: string) => {
      if (seen.has(n)) return false;
      seen.add(n);
      return true;
    },
  });
  const sign = (url: string, extra: Parameters<typeof oauthHeader>[2] = {}) =>
    oauthHeader('POST', url, {
      consumerKey: 'ck',
      consumerSecret: 'cs',
      token: 'tk',
      tokenSecret: 'ts',
      timestamp: now,
      ...extra,
    });

  it('accepts any correctly signed URL and query (property)', () => {
    const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/).filter((k) => !k.startsWith('oauth_'));
    fc.assert(
      fc.property(fc.dictionary(key, fc.string({ maxLength: 12 })), fc.nat(), (query, n) => {
        const qs = new URLSearchParams(query).toString().replace(/\+/g, '%20');
        const url = `http://127.0.0.1:4123/12/measurement/conversions/o8z6j${qs ? `?${qs}` : ''}`;
        const authorization = sign(url, { nonce: `p${n}` });
        const result = verifyOAuthRequest(
          { method: 'POST', url: new URL(url), authorization },
          secrets,
          opts(),
        );
        expect(result).toMatchObject({ ok: true, consumerKey: 'ck', token: 'tk' });
      }),
    );
  });

  it('rejects a changed parameter, a wrong secret, a stale timestamp and a reused nonce', () => {
    const url = 'http://127.0.0.1:4123/12/x?a=1';
    const verify = (u: string, authorization: string, o = opts()) =>
      verifyOAuthRequest({ method: 'POST', url: new URL(u), authorization }, secrets, o);

    expect(verify('http://127.0.0.1:4123/12/x?a=2', sign(url))).toEqual({
      ok: false,
      reason: 'invalid signature',
    });
    expect(verify('http://127.0.0.1:4124/12/x?a=1', sign(url))).toEqual({
      ok: false,
      reason: 'invalid signature',
    });
    expect(verify(url, sign(url, { consumerSecret: 'wrong' }))).toEqual({
      ok: false,
      reason: 'invalid signature',
    });
    expect(verify(url, sign(url, { tokenSecret: 'wrong' }))).toEqual({
      ok: false,
      reason: 'invalid signature',
    });
    expect(verify(url, sign(url, { timestamp: now - 301 }))).toEqual({
      ok: false,
      reason: 'timestamp out of bounds',
    });
    expect(verify(url, sign(url, { timestamp: now + 301 }))).toEqual({
      ok: false,
      reason: 'timestamp out of bounds',
    });
    expect(verify(url, sign(url, { timestamp: now - 299 })).ok).toBe(true);

    const o = opts();
    const header = sign(url, { nonce: 'same' });
    expect(verify(url, header, o).ok).toBe(true);
    expect(verify(url, header, o)).toEqual({ ok: false, reason: 'nonce already used' });
  });

  it('names unknown consumers and tokens, and missing credentials', () => {
    const url = 'http://127.0.0.1:4123/12/x';
    const verify = (authorization: string | undefined) =>
      verifyOAuthRequest({ method: 'POST', url: new URL(url), authorization }, secrets, opts());
    expect(verify(sign(url, { consumerKey: 'nope' }))).toEqual({
      ok: false,
      reason: 'unknown oauth_consumer_key',
    });
    expect(verify(sign(url, { token: 'nope' }))).toEqual({
      ok: false,
      reason: 'unknown or revoked oauth_token',
    });
    expect(verify(undefined)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('missing OAuth'),
    });
    expect(verify(sign(url).replace('HMAC-SHA1', 'PLAINTEXT'))).toMatchObject({
      ok: false,
      reason: 'unsupported oauth_signature_method PLAINTEXT',
    });
  });

  it('accepts oauth_verifier repeated in header and form body (counted once)', () => {
    const url = 'http://127.0.0.1:4123/oauth/access_token';
    const authorization = sign(url, { data: { oauth_verifier: '1234567' } });
    expect(authorization).toContain('oauth_verifier="1234567"');
    const result = verifyOAuthRequest(
      { method: 'POST', url: new URL(url), authorization, formBody: 'oauth_verifier=1234567' },
      secrets,
      opts(),
    );
    expect(result.ok).toBe(true);
  });

  it('signs form-encoded body parameters but not a JSON body (RFC 5849 §3.4.1.3.1)', () => {
    const url = 'http://127.0.0.1:4123/oauth/access_token';
    const authorization = sign(url, { data: { note: 'a b!' } });
    const ok = verifyOAuthRequest(
      { method: 'POST', url: new URL(url), authorization, formBody: 'note=a+b%21' },
      secrets,
      opts(),
    );
    expect(ok.ok).toBe(true);
    const changed = verifyOAuthRequest(
      { method: 'POST', url: new URL(url), authorization, formBody: 'note=a+c%21' },
      secrets,
      opts(),
    );
    expect(changed).toEqual({ ok: false, reason: 'invalid signature' });
  });
});
