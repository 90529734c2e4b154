/**
 * An independent RFC 5849 (OAuth 1.0) HMAC-SHA1 verifier for tests, written
 * from the RFC with `node:crypto`, sharing no code with `src/oauth1.ts` or the
 * `oauth-1.0a` package, so a signing bug cannot hide behind itself.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** RFC 3986 §2.1 / RFC 5849 §3.6: every byte except unreserved as %XX, uppercase. */
function encode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(char)
      ? char
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** RFC 5849 §3.5.1: `OAuth k="v", k="v"` with percent-encoded keys and values. */
export function parseAuthorization(header: string): Map<string, string> {
  const match = /^OAuth (.*)$/.exec(header);
  if (!match) throw new Error(`not an OAuth header: ${header}`);
  const params = new Map<string, string>();
  for (const part of (match[1] as string).split(/,\s*/)) {
    const pair = /^([^=]+)="([^"]*)"$/.exec(part);
    if (!pair) throw new Error(`malformed header part: ${part}`);
    params.set(decodeURIComponent(pair[1] as string), decodeURIComponent(pair[2] as string));
  }
  return params;
}

export interface VerifyInput {
  method: string;
  url: string;
  authorization: string;
  consumerSecret: string;
  tokenSecret?: string;
  /** An application/x-www-form-urlencoded body, which is part of the signature. */
  formBody?: string;
}

/** The signature the request should carry (RFC 5849 §3.4). */
export function expectedSignature(input: VerifyInput): string {
  const oauth = parseAuthorization(input.authorization);
  const url = new URL(input.url);
  const pairs: [string, string][] = [];
  // §3.4.1.3.1: query, form body, and protocol parameters except the signature and realm.
  const fromForm = (text: string) => {
    for (const [k, v] of new URLSearchParams(text)) pairs.push([k, v]);
  };
  fromForm(url.search);
  if (input.formBody) fromForm(input.formBody);
  for (const [k, v] of oauth) if (k !== 'oauth_signature' && k !== 'realm') pairs.push([k, v]);
  // §3.4.1.3.2: encode, sort by name then value (byte order), join.
  const normalized = pairs
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  // §3.4.1.2: scheme and host lowercase, default port dropped, no query.
  const defaultPort = (url.protocol === 'http:' && url.port === '80') || url.port === '443';
  const base = `${url.protocol}//${url.hostname.toLowerCase()}${url.port && !defaultPort ? `:${url.port}` : ''}${url.pathname}`;
  const baseString = `${input.method.toUpperCase()}&${encode(base)}&${encode(normalized)}`;
  const key = `${encode(input.consumerSecret)}&${encode(input.tokenSecret ?? '')}`;
  return createHmac('sha1', key).update(baseString).digest('base64');
}

/** `true` when the request's `oauth_signature` is the one RFC 5849 prescribes. */
export function verifyRfc5849(input: VerifyInput): boolean {
  const given = parseAuthorization(input.authorization).get('oauth_signature') ?? '';
  const expected = expectedSignature(input);
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
