// Preloaded into a measured Node process (NODE_OPTIONS=--import <this file>):
// on exit, writes the process's peak resident set size in bytes to the file
// named by TWCLID_BENCH_RSS_FILE. Plain JavaScript so it loads before any
// TypeScript loader is registered.
import { writeFileSync } from 'node:fs';

const out = process.env.TWCLID_BENCH_RSS_FILE;
if (out) {
  process.on('exit', () => {
    // resourceUsage().maxRSS is in kilobytes (getrusage ru_maxrss on Linux).
    writeFileSync(out, String(process.resourceUsage().maxRSS * 1024));
  });
}
