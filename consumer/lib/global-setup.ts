/**
 * Packs the published packages once per run, before any consumer test file,
 * and hands the tarball paths and a scratch folder to the files through
 * `provide`/`inject`. Every consumer app lives in that scratch folder under
 * the OS temp directory, outside the repository, so no workspace
 * `node_modules` is on any of their resolution paths.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { packAll, REPO_DIR, type Tarballs } from './pack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `npm pack` output of every published package. */
    tarballs: Tarballs;
    /** The run's scratch folder (temp dir); consumer apps are created below it. */
    workRoot: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  // realpath: on some systems the temp dir is a symlink, and the isolation
  // checks compare resolved paths against it.
  const workRoot = realpathSync(mkdtempSync(join(tmpdir(), 'twclid-kit-consumer-')));
  if (workRoot.startsWith(realpathSync(REPO_DIR))) {
    throw new Error(`the OS temp dir ${workRoot} is inside the repository; set TMPDIR elsewhere`);
  }
  const packDir = join(workRoot, 'tarballs');
  mkdirSync(packDir);
  const started = Date.now();
  const tarballs = await packAll(packDir);
  console.log(
    `consumer: packed ${Object.keys(tarballs).length} tarballs in ${Date.now() - started} ms`,
  );
  project.provide('tarballs', tarballs);
  project.provide('workRoot', workRoot);
  return () => {
    // CONSUMER_KEEP=1 leaves the apps behind to look into a failure.
    if (process.env.CONSUMER_KEEP) console.log(`consumer: kept ${workRoot}`);
    else rmSync(workRoot, { recursive: true, force: true });
  };
}
