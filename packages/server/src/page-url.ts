/**
 * A conversion's page URL (`event_source_url`) as the kit stores it and sends
 * it to X: without its query string, fragment and credentials, which carry
 * personal data as often as not (`?email=…&reset_token=…`), keeping only the
 * query parameters the app allows (kit option `eventSourceUrlParams`, e.g.
 * `['utm_*']`). docs/product.md, "Safety (the server)": page URLs are stored
 * without their query string and fragment.
 */

export type PageUrl = { ok: true; value: string } | { ok: false; reason: string };

const NOT_A_PAGE = 'must be an absolute http(s) URL';

/**
 * Whether a parameter name is allowed by the list: an exact name, or a
 * prefix when the entry ends in `*` (`utm_*` allows `utm_source`). Names are
 * compared as they are (URL parameters are case-sensitive).
 */
export function paramAllowed(name: string, allowed: readonly string[]): boolean {
  for (const entry of allowed) {
    if (entry.endsWith('*') ? name.startsWith(entry.slice(0, -1)) : name === entry) return true;
  }
  return false;
}

/**
 * The page URL to store, or why it cannot be one. Never throws. A string
 * that is not an absolute http(s) URL is refused (the JSON event gets a 400
 * naming `event_source_url`; the form middleware leaves out a Referer it
 * cannot read). The result is URL-encoded (`href`), as X asks [WC]; kept
 * parameters keep their order and their encoding.
 *
 * @example
 * pageUrl('https://shop.example/pay?email=a@b.c&utm_source=x#top', ['utm_*'])
 * // { ok: true, value: 'https://shop.example/pay?utm_source=x' }
 */
export function pageUrl(raw: string, allowed: readonly string[] = []): PageUrl {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, reason: NOT_A_PAGE };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: NOT_A_PAGE };
  }
  url.username = '';
  url.password = '';
  url.hash = '';
  const kept =
    allowed.length === 0
      ? []
      : url.search
          .slice(1)
          .split('&')
          .filter((pair) => pair !== '' && paramAllowed(paramName(pair), allowed));
  url.search = kept.join('&');
  return { ok: true, value: url.href };
}

/** The decoded name of one `name=value` pair (`+` is a space, as in a form). */
function paramName(pair: string): string {
  for (const name of new URLSearchParams(pair).keys()) return name;
  return '';
}
