/** Builds the browser script the way CI does, so benchmarks measure the shipped file. */
import { existsSync } from 'node:fs';
import { BROWSER_IIFE, REPO_DIR } from './paths.ts';
import { run } from './processes.ts';

/** Runs the browser package's build (always, unless `reuse` and the file exists). */
export async function buildBrowserScript(reuse = false): Promise<string> {
  if (reuse && existsSync(BROWSER_IIFE)) return BROWSER_IIFE;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // Twice at most: another build of the same package at the same moment (a test
  // rebuilding a stale bundle) can empty dist/ right after ours.
  for (let attempt = 1; attempt <= 2; attempt++) {
    await run(npm, ['run', 'build', '-w', '@twclid-kit/browser'], {
      cwd: REPO_DIR,
      timeoutMs: 300_000,
    });
    if (existsSync(BROWSER_IIFE)) return BROWSER_IIFE;
  }
  throw new Error(`the browser build did not write ${BROWSER_IIFE}`);
}
