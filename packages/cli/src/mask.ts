/**
 * Masking for anything printed that carries a credential: a dry run shows
 * which credentials would be used (enough to recognise them) but never enough
 * to use them.
 */
import type { XAuth } from '@twclid-kit/server';

/** `emulator-consumer-key` → `emul…(21)`: a recognisable prefix and the length. */
export function maskId(value: string): string {
  return value.length <= 8 ? `…(${value.length})` : `${value.slice(0, 4)}…(${value.length})`;
}

/** A secret: nothing of it, only that it is set. */
export function maskSecret(value: string): string {
  return value === '' ? '(empty)' : '********';
}

/** A description of the auth in use, safe to print. */
export function describeAuth(auth: XAuth): Record<string, string> {
  if (auth.kind === 'pixel-token') return { kind: 'X-Pixel-Token', token: maskSecret(auth.token) };
  return {
    kind: 'OAuth 1.0a (HMAC-SHA1)',
    consumerKey: maskId(auth.consumerKey),
    consumerSecret: maskSecret(auth.consumerSecret),
    accessToken: maskId(auth.accessToken),
    accessTokenSecret: maskSecret(auth.accessTokenSecret),
  };
}

/**
 * Request headers with credentials masked: the OAuth header keeps its shape
 * (so the parameters can be checked) with the key and token shortened and the
 * signature hidden; `X-Pixel-Token` is hidden.
 */
export function maskHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'x-pixel-token') out[name] = maskSecret(value);
    else if (lower === 'authorization') {
      out[name] = value.replace(/(oauth_[a-z_]+)="([^"]*)"/g, (_match, key: string, v: string) => {
        if (key === 'oauth_signature') return `${key}="${maskSecret(v)}"`;
        if (key === 'oauth_consumer_key' || key === 'oauth_token')
          return `${key}="${maskId(decodeURIComponent(v))}"`;
        return `${key}="${v}"`;
      });
    } else out[name] = value;
  }
  return out;
}
