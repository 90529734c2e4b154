import { describe, expect, it } from 'vitest';
import { describeAuth, maskHeaders, maskId } from './mask.ts';

describe('masking', () => {
  it('keeps a recognisable prefix of IDs and nothing of secrets', () => {
    expect(maskId('emulator-consumer-key')).toBe('emul…(21)');
    expect(maskId('short')).toBe('…(5)');
    expect(
      describeAuth({
        kind: 'oauth1',
        consumerKey: 'consumer-key-1',
        consumerSecret: 'cs',
        accessToken: '123-abcdef',
        accessTokenSecret: 'ats',
      }),
    ).toEqual({
      kind: 'OAuth 1.0a (HMAC-SHA1)',
      consumerKey: 'cons…(14)',
      consumerSecret: '********',
      accessToken: '123-…(10)',
      accessTokenSecret: '********',
    });
  });

  it('masks the OAuth header and the pixel token, leaves other headers', () => {
    const masked = maskHeaders({
      Authorization:
        'OAuth oauth_consumer_key="key-12345", oauth_nonce="n", oauth_signature="c2lnbmF0dXJl%3D", oauth_token="1234-token"',
      'X-Pixel-Token': 'pixel-secret',
      'content-type': 'application/json',
    });
    expect(masked).toEqual({
      Authorization:
        'OAuth oauth_consumer_key="key-…(9)", oauth_nonce="n", oauth_signature="********", oauth_token="1234…(10)"',
      'X-Pixel-Token': '********',
      'content-type': 'application/json',
    });
  });
});
