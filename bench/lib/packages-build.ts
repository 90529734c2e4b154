/**
 * Builds every published package (`npm run build` at the root: tsc for all
 * four, vite for the browser's IIFE), so benchmarks run the compiled code users
 * install, never a stale dist/.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CLI_DIR, REPO_DIR } from './paths.ts';
import { run } from './processes.ts';

/** The last file the root build writes: the CLI compiles after the packages it imports. */
const LAST_OUTPUT = path.join(CLI_DIR, 'dist', 'bin.js');

/** Runs the root build (always, unless `reuse` and the CLI's dist/ already exists). */
export async function buildPackages(reuse = false): Promise<void> {
  if (reuse && existsSync(LAST_OUTPUT)) return;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // Twice at most, like the browser build: a concurrent build (a test, a pack)
  // may empty a dist/ right after ours wrote it.
  for (let attempt = 1; attempt <= 2; attempt++) {
    await run(npm, ['run', 'build'], { cwd: REPO_DIR, timeoutMs: 600_000 });
    if (existsSync(LAST_OUTPUT)) return;
  }
  throw new Error(`the root build did not write ${LAST_OUTPUT}`);
}
