/**
 * OAuth 1.0a (RFC 5849) signature verification with HMAC-SHA1, recomputed from
 * the raw request the way X does it. Independent of any client library on
 * purpose: a bug in the kit's signer must not be hidden by sharing code here.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * RFC 5849 §3.6 / RFC 3986 §2.1: only `A-Z a-z 0-9 - . _ ~` stay unescaped,
 * uppercase hex, UTF-8 bytewise. `encodeURIComponent` leaves `! ' ( ) *`
 * unescaped, so those are escaped by hand.
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function percentDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/**
 * Parses `application/x-www-form-urlencoded` pairs (a query string or a form
 * body) into decoded `[key, value]` pairs, keeping duplicates (RFC 5849
 * §3.4.1.3.1). `+` means space in this encoding.
 */
export function parseFormPairs(text: string): Array<[string, string]> | undefined {
  const pairs: Array<[string, string]> = [];
  if (text === '') return pairs;
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? '' : part.slice(eq + 1);
    const key = percentDecode(rawKey.replace(/\+/g, ' '));
    const value = percentDecode(rawValue.replace(/\+/g, ' '));
    if (key === undefined || value === undefined) return undefined;
    pairs.push([key, value]);
  }
  return pairs;
}

/**
 * Parses `Authorization: OAuth k="v", ...` (RFC 5849 §3.5.1). Returns the
 * decoded parameters, without `realm` (which is not signed), or `undefined`
 * when the header is not an OAuth header or is malformed.
 */
export function parseAuthorizationHeader(
  header: string | undefined,
): Map<string, string> | undefined {
  if (!header) return undefined;
  const match = /^\s*OAuth\s+(.*)$/is.exec(header);
  if (!match) return undefined;
  const params = new Map<string, string>();
  const re = /\s*([^=,\s]+)\s*=\s*"([^"]*)"\s*(?:,|$)/gy;
  const body = (match[1] as string).trim();
  let consumed = 0;
  for (let m = re.exec(body); m !== null; m = re.exec(body)) {
    const key = percentDecode(m[1] as string);
    const value = percentDecode(m[2] as string);
    if (key === undefined || value === undefined) return undefined;
    if (key !== 'realm') params.set(key, value);
    consumed = re.lastIndex;
    if (consumed >= body.length) break;
  }
  if (consumed < body.length) return undefined;
  return params;
}

/**
 * RFC 5849 §3.4.1.2: the base string URI is scheme and host in lowercase,
 * the port only when it is not the scheme's default, and the path; no query,
 * no fragment.
 */
export function baseStringUri(url: URL): string {
  const scheme = url.protocol.toLowerCase();
  const host = url.hostname.toLowerCase();
  const port = url.port;
  const defaultPort =
    (scheme === 'http:' && port === '80') || (scheme === 'https:' && port === '443');
  return `${scheme}//${host}${port && !defaultPort ? `:${port}` : ''}${url.pathname}`;
}

/** RFC 5849 §3.4.1.3.2: encode each key and value, sort by key then value, join `k=v` with `&`. */
export function normalizeParameters(params: Array<[string, string]>): string {
  return params
    .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** RFC 5849 §3.4.1.1: `METHOD&enc(base URI)&enc(normalized parameters)`. */
export function signatureBaseString(
  method: string,
  baseUri: string,
  params: Array<[string, string]>,
): string {
  return [
    method.toUpperCase(),
    percentEncode(baseUri),
    percentEncode(normalizeParameters(params)),
  ].join('&');
}

/** RFC 5849 §3.4.2: key is `enc(consumer secret)&enc(token secret)`, result base64. */
export function hmacSha1Signature(base: string, consumerSecret: string, tokenSecret = ''): string {
  const key = `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`;
  return createHmac('sha1', key).update(base).digest('base64');
}

/** What a request looks like to the verifier. */
export interface OAuthRequest {
  method: string;
  /** The URL as the client addressed it (scheme + Host header + path + query). */
  url: URL;
  authorization: string | undefined;
  /** The raw body, only when it is `application/x-www-form-urlencoded` (those pairs are signed). */
  formBody?: string;
}

export interface OAuthSecrets {
  /** The consumer secret for a key, or undefined when the key is unknown. */
  consumerSecret(consumerKey: string): string | undefined;
  /** The token secret for a token, or undefined when the token is unknown. */
  tokenSecret(token: string): string | undefined;
}

export interface OAuthVerifyOptions {
  /** Current Unix time in seconds. */
  nowSeconds: number;
  /** Largest accepted |now − oauth_timestamp| in seconds. */
  maxSkewSeconds: number;
  /** Whether the request must carry `oauth_token` (false only for `request_token`). */
  requireToken: boolean;
  /** Records a nonce; returns false when it was already used. */
  useNonce(consumerKey: string, token: string, nonce: string, timestamp: number): boolean;
}

export type OAuthVerifyResult =
  | {
      ok: true;
      consumerKey: string;
      token: string | undefined;
      /** All oauth_* protocol parameters, decoded (e.g. oauth_callback, oauth_verifier). */
      oauth: Map<string, string>;
    }
  | { ok: false; reason: string };

/**
 * Verifies an OAuth 1.0a HMAC-SHA1 request. Protocol parameters may come from
 * the Authorization header (the documented way) or the query string
 * (RFC 5849 §3.5.3). The order of checks keeps the nonce cache honest: a nonce
 * is recorded only after the signature and the timestamp are known good.
 */
export function verifyOAuthRequest(
  req: OAuthRequest,
  secrets: OAuthSecrets,
  options: OAuthVerifyOptions,
): OAuthVerifyResult {
  const header = parseAuthorizationHeader(req.authorization);
  if (req.authorization && header === undefined) {
    return { ok: false, reason: 'malformed OAuth Authorization header' };
  }
  const query = parseFormPairs(req.url.search.replace(/^\?/, ''));
  if (query === undefined) return { ok: false, reason: 'malformed query string' };
  const form = req.formBody === undefined ? [] : parseFormPairs(req.formBody);
  if (form === undefined) return { ok: false, reason: 'malformed form body' };

  // The header wins; protocol parameters it lacks may come from the query or form body
  // (e.g. oauth_verifier sent in the body of access_token).
  const oauth = new Map<string, string>(header ?? []);
  for (const [k, v] of [...query, ...form]) {
    if (k.startsWith('oauth_') && !oauth.has(k)) oauth.set(k, v);
  }
  const signature = oauth.get('oauth_signature');
  const consumerKey = oauth.get('oauth_consumer_key');
  if (!signature || !consumerKey) {
    return { ok: false, reason: 'missing OAuth credentials (Authorization: OAuth ...)' };
  }
  const method = oauth.get('oauth_signature_method');
  if (method !== 'HMAC-SHA1') {
    return { ok: false, reason: `unsupported oauth_signature_method ${method ?? '(none)'}` };
  }
  const version = oauth.get('oauth_version');
  if (version !== undefined && version !== '1.0') {
    return { ok: false, reason: `unsupported oauth_version ${version}` };
  }
  const nonce = oauth.get('oauth_nonce');
  const timestampText = oauth.get('oauth_timestamp');
  if (!nonce) return { ok: false, reason: 'missing oauth_nonce' };
  if (!timestampText || !/^\d{1,12}$/.test(timestampText)) {
    return { ok: false, reason: 'missing or malformed oauth_timestamp' };
  }
  const consumerSecret = secrets.consumerSecret(consumerKey);
  if (consumerSecret === undefined) return { ok: false, reason: 'unknown oauth_consumer_key' };
  const token = oauth.get('oauth_token');
  if (options.requireToken && !token) return { ok: false, reason: 'missing oauth_token' };
  const tokenSecret = token ? secrets.tokenSecret(token) : '';
  if (tokenSecret === undefined) return { ok: false, reason: 'unknown or revoked oauth_token' };

  // RFC 5849 §3.4.1.3.1: query + form body + header protocol params, minus the signature.
  const signed: Array<[string, string]> = [...query, ...form];
  if (header) {
    for (const [k, v] of header) {
      // RFC 5849 §3.5 wants each protocol parameter in one place; some signers
      // repeat e.g. oauth_verifier in header and body. Count an exact repeat once.
      if (signed.some(([sk, sv]) => sk === k && sv === v && k.startsWith('oauth_'))) continue;
      signed.push([k, v]);
    }
  }
  const params = signed.filter(([k]) => k !== 'oauth_signature');
  const base = signatureBaseString(req.method, baseStringUri(req.url), params);
  const expected = Buffer.from(hmacSha1Signature(base, consumerSecret, tokenSecret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'invalid signature' };
  }

  // X rejects stale timestamps ("Timestamp out of bounds"); 5 minutes is the usual bound.
  const timestamp = Number(timestampText);
  if (Math.abs(options.nowSeconds - timestamp) > options.maxSkewSeconds) {
    return { ok: false, reason: 'timestamp out of bounds' };
  }
  if (!options.useNonce(consumerKey, token ?? '', nonce, timestamp)) {
    return { ok: false, reason: 'nonce already used' };
  }
  return { ok: true, consumerKey, token, oauth };
}
