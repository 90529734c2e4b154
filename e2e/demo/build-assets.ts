import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Newest modification time of any file under `dir` (0 when it does not exist). */
function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function stale(output: string, sources: string[]): boolean {
  const file = join(ROOT, output);
  if (!existsSync(file)) return true;
  const built = statSync(file).mtimeMs;
  return sources.some((src) => newest(join(ROOT, src)) > built);
}

/** Each kit package's build output, and the sources it is built from. */
const PACKAGES: [output: string, sources: string][] = [
  ['packages/browser/dist/twclid.iife.js', 'packages/browser/src'],
  ['packages/emulator/dist/index.js', 'packages/emulator/src'],
  ['packages/server/dist/index.js', 'packages/server/src'],
];

/**
 * Builds what the demo runs when it is missing or older than its sources: the
 * kit's compiled packages (the demo imports them as an app does) and the demo's
 * Vite assets (the same builds `npm run demo` runs).
 */
export function buildDemoAssets(): void {
  if (PACKAGES.some(([output, sources]) => stale(output, [sources]))) {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
  }
  if (stale('demo-site/dist/assets/dashboard.js', ['demo-site/src/client'])) {
    execFileSync('npm', ['run', 'build', '-w', '@twclid-kit/demo-site'], {
      cwd: ROOT,
      stdio: 'pipe',
    });
  }
}
