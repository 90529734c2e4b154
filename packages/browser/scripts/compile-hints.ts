import type { Plugin } from 'vite';

/**
 * V8's explicit compile hint: with this comment first in a script, Chromium
 * (136 and later) compiles all its functions when it compiles the script,
 * during streaming off the main thread where it can, instead of parsing each
 * function a second time when it is first called. Nearly every function of the
 * IIFE runs while the page loads, and that lazy compilation was the largest
 * part of the script's main-thread time at load (bench/RESULTS.md, issue #16:
 * parse and compile about 14 → 5 ms of a landing's script time on a busy
 * 2-core machine). Other engines read it as a comment.
 */
export const COMPILE_HINT = '//# allFunctionsCalledOnLoad\n';

/**
 * Puts the hint first in `chunkName`. The minifier drops comments, so this runs
 * on the finished bundle; list it before the plugins that measure or embed the
 * chunk (size budget, script module), whose `generateBundle` runs after it.
 */
export function compileHints(chunkName: string): Plugin {
  return {
    name: 'twclid-kit:compile-hints',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunk = bundle[chunkName];
      if (chunk?.type !== 'chunk') return this.error(`compile-hints: no chunk named ${chunkName}`);
      if (!chunk.code.startsWith(COMPILE_HINT)) chunk.code = COMPILE_HINT + chunk.code;
    },
  };
}
