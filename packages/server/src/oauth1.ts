/**
 * OAuth 1.0a HMAC-SHA1 request signing (RFC 5849, as X documents it [SIG]),
 * through the `oauth-1.0a` package with `@noble/hashes` HMAC-SHA1, so it runs
 * on any runtime with `fetch` (no `node:crypto`).
 *
 * What the kit adds around `oauth-1.0a` 2.2.6, and why:
 * - The URL is normalized per RFC 5849 §3.4.1.2 (lowercase scheme and host,
 *   default port dropped, no query or fragment) before the library sees it;
 *   the library only cuts at `?`.
 * - Query parameters are decoded here as `application/x-www-form-urlencoded`
 *   (RFC 5849 §3.4.1.3.1, `+` is a space) and handed over as data: the
 *   library's own query parser leaves `+` and percent-encoded keys undecoded
 *   and throws on a stray `%`.
 * - Nonce and timestamp come from injected functions instead of Math.random
 *   and the wall clock.
 * - A JSON body is never signed (RFC 5849 §3.4.1.3.1 signs only form bodies;
 *   X's SDKs and twurl agree [SIG]).
 * The library's percent-encoding already escapes `! ' ( ) *` (RFC 3986 §2.1),
 * which the tests pin.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import OAuth from 'oauth-1.0a';

/** OAuth 1.0a credentials; the token pair is absent while obtaining a request token. */
export interface OAuth1Credentials {
  consumerKey: string;
  consumerSecret: string;
  accessToken?: string;
  accessTokenSecret?: string;
}

export interface OAuth1SignInput {
  method: string;
  url: string;
  credentials: OAuth1Credentials;
  /** Extra protocol parameters such as `oauth_callback` or `oauth_verifier` (3-legged flow). */
  oauthParams?: Record<string, string>;
  /** An `application/x-www-form-urlencoded` body, which RFC 5849 signs. Never a JSON body. */
  form?: Record<string, string>;
  /** `oauth_nonce`. Default: 32 random alphanumerics from `crypto.getRandomValues`. */
  nonce?: string;
  /** `oauth_timestamp` in Unix seconds. Default: now. */
  timestamp?: number;
}

/** RFC 3986 §2.1 percent-encoding: only `A-Z a-z 0-9 - . _ ~` stay, UTF-8, uppercase hex. */
export function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

const NONCE_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A 32-character alphanumeric nonce from the runtime's CSPRNG. */
export function randomNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let nonce = '';
  // 248 = 4 × 62: rejecting bytes ≥ 248 keeps every character equally likely.
  for (const byte of bytes) if (byte < 248) nonce += NONCE_ALPHABET[byte % 62];
  return nonce.length >= 16 ? nonce : randomNonce();
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** `base64(HMAC-SHA1(key, baseString))` (RFC 5849 §3.4.2). */
export function hmacSha1Base64(baseString: string, key: string): string {
  return base64(hmac(sha1, utf8ToBytes(key), utf8ToBytes(baseString)));
}

/** RFC 5849 §3.4.1.2 base string URI: lowercase scheme and host, no default port, no query. */
export function baseStringUri(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

const PROTOCOL_PARAMS = [
  'oauth_consumer_key',
  'oauth_nonce',
  'oauth_signature',
  'oauth_signature_method',
  'oauth_timestamp',
  'oauth_token',
  'oauth_version',
];

type ParamMap = Record<string, string | string[]>;

function addParam(params: ParamMap, key: string, value: string): void {
  // oauth-1.0a keeps parameters in plain objects, where this one name would
  // set the prototype instead of a key and silently drop out of the signature.
  if (key === '__proto__') throw new TypeError('cannot sign a parameter named "__proto__"');
  const existing = Object.hasOwn(params, key) ? params[key] : undefined;
  if (existing === undefined) params[key] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else params[key] = [existing, value];
}

function createSigner(credentials: OAuth1Credentials, nonce: string, timestamp: number): OAuth {
  const oauth = new OAuth({
    consumer: { key: credentials.consumerKey, secret: credentials.consumerSecret },
    signature_method: 'HMAC-SHA1',
    hash_function: hmacSha1Base64,
  });
  oauth.getNonce = () => nonce;
  oauth.getTimeStamp = () => timestamp;
  return oauth;
}

function signedParams(input: OAuth1SignInput): { oauth: OAuth; data: OAuth.Authorization } {
  const nonce = input.nonce ?? randomNonce();
  const timestamp = input.timestamp ?? Math.floor(Date.now() / 1000);
  const oauth = createSigner(input.credentials, nonce, timestamp);
  // No prototype: a parameter named `toString` must not find Object's method.
  const params: ParamMap = Object.create(null);
  for (const [key, value] of new URL(input.url).searchParams) addParam(params, key, value);
  for (const [key, value] of Object.entries(input.form ?? {})) addParam(params, key, value);
  for (const [key, value] of Object.entries(input.oauthParams ?? {})) addParam(params, key, value);
  const { accessToken, accessTokenSecret } = input.credentials;
  const data = oauth.authorize(
    { method: input.method, url: baseStringUri(input.url), data: params },
    accessToken === undefined ? undefined : { key: accessToken, secret: accessTokenSecret ?? '' },
  );
  return { oauth, data };
}

/**
 * The `Authorization` header value for a request:
 * `OAuth oauth_consumer_key="…", oauth_nonce="…", oauth_signature="…", …`,
 * keys sorted, keys and values percent-encoded, joined by `, ` [SIG].
 */
export function oauth1Authorization(input: OAuth1SignInput): string {
  const { oauth, data } = signedParams(input);
  // `authorize()` merges query and form parameters into its result, and
  // `toHeader()` prints every `oauth_*` key: an `oauth_verifier` sent in the
  // form body would then appear twice. Only protocol parameters go in the header.
  const protocol = new Set([...PROTOCOL_PARAMS, ...Object.keys(input.oauthParams ?? {})]);
  const header = Object.fromEntries(
    Object.entries(data).filter(([key]) => protocol.has(key)),
  ) as unknown as OAuth.Authorization;
  return oauth.toHeader(header).Authorization;
}

/** The `oauth_signature` alone (for tests and debugging signature mismatches). */
export function oauth1Signature(input: OAuth1SignInput): string {
  return signedParams(input).data.oauth_signature;
}
