import { createHash } from 'node:crypto';
import type { Plugin } from 'vite';

/**
 * Emits `script.js` (+ `script.d.ts`) beside the IIFE: an ES module whose
 * `source` is the IIFE's text and whose `sha256` is its digest. The server
 * imports it to serve the script from its own route on every runtime (no
 * file system needed, so Workers and Deno Deploy serve it too).
 */
export function scriptModule(chunkName: string): Plugin {
  return {
    name: 'twclid-kit:script-module',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunk = bundle[chunkName];
      if (chunk?.type !== 'chunk') this.error(`script-module: no chunk named ${chunkName}`);
      const sha256 = createHash('sha256').update(chunk.code).digest('base64url');
      this.emitFile({
        type: 'asset',
        fileName: 'script.js',
        source: [
          `/** The self-contained <script> (dist/${chunkName}) as text, for servers that serve it. */`,
          `export const source = ${JSON.stringify(chunk.code)};`,
          '/** SHA-256 of `source`, base64url: a strong ETag and a cache-busting version. */',
          `export const sha256 = ${JSON.stringify(sha256)};`,
          '',
        ].join('\n'),
      });
      this.emitFile({
        type: 'asset',
        fileName: 'script.d.ts',
        source: [
          `/** The self-contained <script> (dist/${chunkName}) as text, for servers that serve it. */`,
          'export declare const source: string;',
          '/** SHA-256 of `source`, base64url: a strong ETag and a cache-busting version. */',
          'export declare const sha256: string;',
          '',
        ].join('\n'),
      });
      // Types for the IIFE's own export entry (`@twclid-kit/browser/twclid.iife.js`):
      // loading it defines `window.twclidKit`.
      this.emitFile({
        type: 'asset',
        fileName: chunkName.replace(/\.js$/, '.d.ts'),
        source: [
          "import type { TwclidKit } from './kit.ts';",
          '',
          'declare global {',
          '  interface Window {',
          "    /** Set by the <script> build once it has started (`init()` with the tag's data-* options). */",
          '    twclidKit?: TwclidKit;',
          '  }',
          '}',
          '',
          'export {};',
          '',
        ].join('\n'),
      });
    },
  };
}
