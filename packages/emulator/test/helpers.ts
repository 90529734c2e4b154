/**
 * Test helpers: an OAuth 1.0a signer built on the `oauth-1.0a` package (so
 * the emulator's verifier is checked against an independent implementation),
 * and builders for valid conversions.
 */
import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { EMULATOR_DEFAULTS as D } from '../src/defaults.ts';

export interface SignOptions {
  consumerKey?: string;
  consumerSecret?: string;
  /** `null` signs without a token (request_token). */
  token?: string | null;
  tokenSecret?: string;
  timestamp?: number;
  nonce?: string;
  /** Extra oauth_* parameters placed in the header (oauth_callback, oauth_verifier). */
  oauthParams?: Record<string, string>;
  /** Form parameters that are signed (only for form-encoded bodies). */
  data?: Record<string, string>;
}

let nonceCounter = 0;

/** The Authorization header for a request, signed with HMAC-SHA1 by `oauth-1.0a`. */
export function oauthHeader(method: string, url: string, options: SignOptions = {}): string {
  const signer = new OAuth({
    consumer: {
      key: options.consumerKey ?? D.consumerKey,
      secret: options.consumerSecret ?? D.consumerSecret,
    },
    signature_method: 'HMAC-SHA1',
    hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
  });
  const nonce = options.nonce ?? `n${Date.now()}x${++nonceCounter}`;
  signer.getNonce = () => nonce;
  if (options.timestamp !== undefined) {
    const ts = options.timestamp;
    signer.getTimeStamp = () => ts;
  }
  const token =
    options.token === null
      ? undefined
      : { key: options.token ?? D.accessToken, secret: options.tokenSecret ?? D.accessTokenSecret };
  const auth = signer.authorize(
    { url, method, data: { ...(options.data ?? {}), ...(options.oauthParams ?? {}) } },
    token,
  );
  return signer.toHeader({ ...auth, ...(options.oauthParams ?? {}) }).Authorization;
}

export const CONVERSIONS_PATH = `/${D.apiVersion}/measurement/conversions/${D.pixelId}`;
export const BASE = 'http://127.0.0.1:4000';

/** A conversion that passes every rule. */
export function validConversion(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    conversion_time: '2026-11-28T10:00:00.000Z',
    event_id: D.events.purchase.id,
    identifiers: [{ twclid: '23opevjt88psuo13lu8d020qkn' }],
    conversion_id: 'order-1',
    ...overrides,
  };
}

/** Request init for an OAuth-signed conversions POST. */
export function signedPost(
  body: unknown,
  options: SignOptions & { url?: string } = {},
): { url: string; init: RequestInit } {
  const url = options.url ?? `${BASE}${CONVERSIONS_PATH}`;
  return {
    url,
    init: {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: oauthHeader('POST', url, options),
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    },
  };
}
