import { defineConfig } from 'vite';
import { compileHints } from './scripts/compile-hints.ts';
import { jsCookieCore } from './scripts/js-cookie-core.ts';
import { scriptModule } from './scripts/script-module.ts';
import { sizeBudget } from './scripts/size-budget.ts';

/** Hard CI budget for the IIFE, js-cookie included: the build fails above it. */
export const IIFE_GZIP_BUDGET = 3072;
/** Product goal (docs/product.md): the build prints whether it is met, but does not fail on it. */
export const IIFE_GZIP_GOAL = 2048;

// The self-contained minified <script> (dist/twclid.iife.js), its size check, and
// dist/script.js (the same script as a string, for the server's route). The ES
// module entries (dist/index.js, dist/contract.js) are plain `tsc` output.
export default defineConfig({
  plugins: [
    jsCookieCore(),
    // First of the generateBundle hooks: the size check and script.js see the hinted file.
    compileHints('twclid.iife.js'),
    sizeBudget(IIFE_GZIP_BUDGET, IIFE_GZIP_GOAL),
    scriptModule('twclid.iife.js'),
  ],
  build: {
    emptyOutDir: false,
    minify: true,
    target: 'es2020',
    lib: {
      entry: 'src/iife.ts',
      formats: ['iife'],
      name: 'twclidKit',
      fileName: () => 'twclid.iife.js',
    },
  },
});
