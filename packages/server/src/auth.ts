/**
 * The two ways X authenticates a Conversion API call (docs/x-api.md §3):
 * OAuth 1.0a user context, or the `X-Pixel-Token` access token from Events
 * Manager [GTM].
 */
import { type OAuth1Credentials, oauth1Authorization } from './oauth1.ts';
import type { XAuth } from './x-types.ts';

/** What a signed request may be authenticated with: {@link XAuth}, or OAuth with the consumer pair only (3-legged flow). */
export type SigningAuth = XAuth | ({ kind: 'oauth1' } & OAuth1Credentials);

export interface AuthHeaderOptions {
  /** Clock for `oauth_timestamp` (epoch ms). Default: `Date.now`. */
  now?: () => number;
  /** Nonce source. Default: 32 random alphanumerics. */
  nonce?: () => string;
  /** Extra `oauth_*` protocol parameters (`oauth_callback`, `oauth_verifier`). */
  oauthParams?: Record<string, string>;
  /** A form body to sign (OAuth only); JSON bodies are never signed. */
  form?: Record<string, string>;
}

/** The auth header(s) for one request to `url`. */
export function authHeaders(
  auth: SigningAuth,
  method: string,
  url: string,
  options: AuthHeaderOptions = {},
): Record<string, string> {
  if (auth.kind === 'pixel-token') return { 'x-pixel-token': auth.token };
  const now = options.now ?? Date.now;
  return {
    authorization: oauth1Authorization({
      method,
      url,
      credentials: auth,
      oauthParams: options.oauthParams,
      form: options.form,
      nonce: options.nonce?.(),
      timestamp: Math.floor(now() / 1000),
    }),
  };
}
