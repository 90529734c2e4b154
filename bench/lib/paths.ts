/** Where things are in the repository, for benchmarks run from any directory. */
import path from 'node:path';
import { BENCH_DIR } from './results.ts';

export const REPO_DIR = path.dirname(BENCH_DIR);
export const BROWSER_DIR = path.join(REPO_DIR, 'packages', 'browser');
export const BROWSER_IIFE = path.join(BROWSER_DIR, 'dist', 'twclid.iife.js');
export const SERVERS_DIR = path.join(BENCH_DIR, 'servers');
export const CLI_DIR = path.join(REPO_DIR, 'packages', 'cli');
/** The `twclid-kit` command as installed users run it: a stub that imports the compiled dist/bin.js. */
export const CLI_BIN = path.join(CLI_DIR, 'bin', 'twclid-kit.js');
