import type { Plugin } from 'vite';

/**
 * js-cookie's default export is built by an `init()` that also returns
 * `withAttributes`, `withConverter` and the frozen `attributes` / `converter`
 * properties; being members of one object literal, the bundler cannot drop
 * them. The script uses `set`, `get` and `remove` only, so this plugin cuts the
 * rest out of js-cookie's ESM build before bundling (74 B gzip of the IIFE).
 *
 * It also trims `set` and `get` for the one way the script calls them:
 * - without their `typeof document === 'undefined'` guards, since the script
 *   touches cookies only once it has checked for a document itself (`init()`,
 *   server-side rendering);
 * - `get` reads `document.cookie` once instead of twice: each read of it is a
 *   synchronous call into the browser (bench/RESULTS.md, issue #16);
 * - `set` writes the lifetime as `Max-Age` (seconds until the `expires` Date
 *   the script passes; `remove`'s `-1` gives a negative age, which deletes),
 *   not as an `Expires` date: a page's first date-to-string formatting costs
 *   about 1 ms of main-thread time, integer arithmetic nothing.
 * js-cookie's converters and attribute handling are untouched. Each cut must
 * match, so a js-cookie release that changes the text fails the build instead
 * of silently shipping something else.
 */
const CUTS: [RegExp, string][] = [
  [
    /,\s*withAttributes: function \(attributes\) \{[\s\S]*?\n\s*\},\s*withConverter: function \(converter\) \{[\s\S]*?\n\s*\}/,
    '',
  ],
  [
    /Object\.create\((\s*\{[\s\S]*?\n\s*\}),\s*\{\s*attributes: \{ value: Object\.freeze\(defaultAttributes\) \},\s*converter: \{ value: Object\.freeze\(converter\) \}\s*\}\s*\)/,
    '($1)',
  ],
  [
    /(function set\(name, value, attributes\) \{)\s*if \(typeof document === 'undefined'\) \{\s*return\s*\}/,
    '$1',
  ],
  [
    /(function get\(name\) \{)\s*if \(typeof document === 'undefined' \|\| \(arguments\.length && !name\)\) \{\s*return\s*\}/,
    '$1',
  ],
  [
    /if \(typeof attributes\.expires === 'number'\) \{[^}]*\}\s*if \(attributes\.expires\) \{\s*attributes\.expires = attributes\.expires\.toUTCString\(\);\s*\}/,
    "if (attributes.expires) { attributes['max-age'] = '' + Math.round((attributes.expires - Date.now()) / 1e3); attributes.expires = 0; }",
  ],
  [
    /var cookies = document\.cookie \? document\.cookie\.split\('; '\) : \[\];/,
    "var jar = document.cookie, cookies = jar ? jar.split('; ') : [];",
  ],
];

export function cutJsCookieCore(code: string): string {
  for (const [pattern, replacement] of CUTS) {
    if (!pattern.test(code))
      throw new Error(`js-cookie-core: js-cookie's source no longer matches ${pattern}`);
    code = code.replace(pattern, replacement);
  }
  return code;
}

export function jsCookieCore(): Plugin {
  return {
    name: 'twclid-kit:js-cookie-core',
    apply: 'build',
    transform(code, id) {
      if (/[\\/]js-cookie[\\/]dist[\\/]js\.cookie\.mjs$/.test(id))
        return { code: cutJsCookieCore(code), map: null };
    },
  };
}
