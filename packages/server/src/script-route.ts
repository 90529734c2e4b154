/**
 * `GET /twclid.js`: the kit serves the browser package's `<script>` build
 * itself, so the README's script tag works with no copy step and the script
 * always matches the server's wire contract.
 *
 * The script arrives as a string (`@twclid-kit/browser/script`), not a file,
 * so this works where there is no file system (Workers, Deno Deploy).
 */
import { sha256, source } from '@twclid-kit/browser/script';
import type { Handler } from 'hono';

/** Where the kit serves the script, below its mount point (`/tw/twclid.js`). */
export const SCRIPT_PATH = '/twclid.js';

/**
 * The script's version: the base64url SHA-256 of its bytes. A tag that asks for
 * `twclid.js?v=<SCRIPT_VERSION>` is cached for a year (the URL changes with
 * every new build); without it, for a day, revalidated by ETag.
 */
export const SCRIPT_VERSION: string = sha256;

/** A strong validator (RFC 9110 §8.8.3): the digest of the exact bytes served. */
const ETAG = `"${sha256}"`;
const ONE_DAY = 'public, max-age=86400';
const ONE_YEAR = 'public, max-age=31536000, immutable';

/**
 * If-None-Match matches when it is `*` or lists our tag; the comparison is the
 * weak one (RFC 9110 §13.1.2), so a `W/` prefix a proxy added still matches.
 */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}

/** The handler for `GET` (and, through Hono, `HEAD`) `/twclid.js`. */
export function scriptRoute(): Handler {
  return function twclidScript(c) {
    c.header('etag', ETAG);
    c.header('cache-control', c.req.query('v') === SCRIPT_VERSION ? ONE_YEAR : ONE_DAY);
    c.header('x-content-type-options', 'nosniff');
    if (ifNoneMatchHits(c.req.header('if-none-match'), ETAG)) return c.body(null, 304);
    c.header('content-type', 'text/javascript; charset=utf-8');
    return c.body(source, 200);
  };
}
