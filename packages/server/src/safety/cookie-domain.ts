/**
 * Which `Domain` the click cookie may carry when the browser script asks for one.
 *
 * The script writes `_twclid_kit` on the registrable domain it probed (the
 * widest domain the browser accepts), and sends that domain with its capture
 * call so the server's `Set-Cookie` replaces that very cookie instead of adding
 * a host-only twin with its own value. A cookie's `Domain` must domain-match
 * the request host (RFC 6265 §5.3 step 6: the host itself or a parent), so
 * anything else is refused here; so is a single label (`com`, `test`), which
 * can only be a top-level domain or a host no other site shares. The server
 * holds no public-suffix list: a multi-label public suffix (`co.uk`) passes
 * this check, and the browser itself refuses such a cookie (RFC 6265 §5.3
 * step 5), which only the visitor sending it would notice.
 */

/** `requested` when the click cookie may use it on `host` (`Host` header, port allowed), else `undefined` (host-only). */
export function clickCookieDomain(requested: unknown, host: string): string | undefined {
  if (typeof requested !== 'string') return undefined;
  // A leading dot is the old RFC 2109 spelling of the same domain.
  const domain = requested.trim().toLowerCase().replace(/^\./, '');
  // Letters, digits and hyphens, at least two labels.
  if (!/^[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})+$/.test(domain)) return undefined;
  const hostname = host.trim().toLowerCase().replace(/:\d+$/, '');
  // On an IP address (ends in a digit, or `]` for IPv6) cookies are host-only.
  if (!/[a-z]$/.test(hostname)) return undefined;
  return hostname === domain || hostname.endsWith(`.${domain}`) ? domain : undefined;
}
