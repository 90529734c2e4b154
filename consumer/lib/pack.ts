/**
 * Packs the published packages as `npm publish` would (each `prepack` runs a
 * clean build), so the consumer tests and the install-size benchmark work on
 * the very tarballs a user would download.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const REPO_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** The published packages, in build order (each one's dependencies first). */
export const PUBLISHED = ['browser', 'emulator', 'server', 'cli'] as const;
export type Published = (typeof PUBLISHED)[number];

export type Tarballs = Record<Published, string>;

const run = promisify(execFile);

/** `npm pack` of every published package into `dir` (a new temp folder by default). */
export async function packAll(
  dir: string = mkdtempSync(join(tmpdir(), 'twclid-kit-packs-')),
): Promise<Tarballs> {
  const tarballs = {} as Tarballs;
  for (const name of PUBLISHED) {
    const { stdout } = await run(
      'npm',
      ['pack', '--json', '--pack-destination', dir, '-w', `@twclid-kit/${name}`],
      { cwd: REPO_DIR, maxBuffer: 64 * 1024 * 1024 },
    );
    // The prepack build prints to stdout too; npm's JSON report comes last.
    const report = stdout.startsWith('[') ? stdout : stdout.slice(stdout.lastIndexOf('\n[') + 1);
    const [info] = JSON.parse(report) as [{ filename: string }];
    tarballs[name] = join(dir, info.filename);
  }
  return tarballs;
}
