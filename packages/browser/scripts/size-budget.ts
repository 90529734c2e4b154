import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/**
 * Prints each emitted chunk's raw, gzip and brotli sizes and fails the build
 * when a chunk's gzip size is over `maxGzip` bytes (the script's CI budget).
 * With `goalGzip` (the product goal, below the budget) it also prints whether
 * the goal is met; missing the goal does not fail the build.
 */
export function sizeBudget(maxGzip: number, goalGzip?: number): Plugin {
  return {
    name: 'twclid-kit:size-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type !== 'chunk') continue;
        const gzip = gzipSync(file.code, { level: 9 }).length;
        const brotli = brotliCompressSync(file.code).length;
        const line = `${file.fileName}: ${file.code.length} B raw, ${gzip} B gzip, ${brotli} B brotli (budget ${maxGzip} B gzip)`;
        console.log(line);
        if (goalGzip !== undefined)
          console.log(
            gzip <= goalGzip
              ? `${file.fileName}: goal ${goalGzip} B gzip met (${goalGzip - gzip} B to spare)`
              : `${file.fileName}: goal ${goalGzip} B gzip missed by ${gzip - goalGzip} B`,
          );
        if (gzip > maxGzip) this.error(`over the size budget: ${line}`);
      }
    },
  };
}
