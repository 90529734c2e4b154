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

/**
 * Builds what the demo serves when it is missing or older than its sources:
 * the kit's IIFE and the demo's Vite assets (the same builds `npm run demo` runs).
 */
export function buildDemoAssets(): void {
  if (stale('packages/browser/dist/twclid.iife.js', ['packages/browser/src'])) {
    execFileSync('npm', ['run', 'build', '-w', '@twclid-kit/browser'], {
      cwd: ROOT,
      stdio: 'pipe',
    });
  }
  if (stale('demo-site/dist/assets/dashboard.js', ['demo-site/src/client'])) {
    execFileSync('npm', ['run', 'build', '-w', '@twclid-kit/demo-site'], {
      cwd: ROOT,
      stdio: 'pipe',
    });
  }
}
