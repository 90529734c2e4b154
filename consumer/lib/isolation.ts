/**
 * Proof that an app under test resolves only its own node_modules: run from
 * inside the app by plain `node`, it reports NODE_PATH/NODE_OPTIONS, every
 * folder CommonJS would search, and where ESM resolves each specifier.
 */
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ConsumerApp } from './app.ts';
import { describeRun } from './exec.ts';
import { REPO_DIR } from './pack.ts';

const PROBE = `
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const specifiers = JSON.parse(process.argv[2]);
const resolved = {};
for (const s of specifiers) resolved[s] = import.meta.resolve(s);
console.log(JSON.stringify({
  nodePath: process.env.NODE_PATH ?? null,
  nodeOptions: process.env.NODE_OPTIONS ?? null,
  execArgv: process.execArgv,
  searchPaths: require.resolve.paths('any-package'),
  resolved,
}));
`;

export interface IsolationReport {
  nodePath: string | null;
  nodeOptions: string | null;
  execArgv: string[];
  searchPaths: string[];
  /** Specifier → resolved file path. */
  resolved: Record<string, string>;
  /** Folders on the search path that exist but are not the app's. */
  foreignFolders: string[];
}

/** Runs the probe in the app; the caller asserts on the report. */
export async function isolationReport(
  app: ConsumerApp,
  specifiers: readonly string[],
): Promise<IsolationReport> {
  app.write('.isolation-probe.mjs', PROBE);
  const args = ['.isolation-probe.mjs', JSON.stringify(specifiers)];
  const result = await app.run(process.execPath, args);
  if (result.code !== 0) throw new Error(describeRun(`node ${args.join(' ')}`, result));
  const raw = JSON.parse(result.stdout) as Omit<IsolationReport, 'foreignFolders'>;
  const resolved: Record<string, string> = {};
  for (const [specifier, url] of Object.entries(raw.resolved)) {
    resolved[specifier] = realpathSync(fileURLToPath(url));
  }
  const foreignFolders = raw.searchPaths.filter(
    (folder) => !folder.startsWith(`${app.dir}/`) && existsSync(folder),
  );
  return { ...raw, resolved, foreignFolders };
}

/** The checks every app gets, as one list of problems (empty when isolated). */
export function isolationProblems(app: ConsumerApp, report: IsolationReport): string[] {
  const problems: string[] = [];
  const repo = realpathSync(REPO_DIR);
  if (app.dir.startsWith(repo)) problems.push(`the app ${app.dir} is inside the repository`);
  if (report.nodePath !== null) problems.push(`NODE_PATH is set: ${report.nodePath}`);
  if (report.nodeOptions !== null) problems.push(`NODE_OPTIONS is set: ${report.nodeOptions}`);
  if (report.execArgv.length > 0) problems.push(`node runs with ${report.execArgv.join(' ')}`);
  for (const folder of report.foreignFolders)
    problems.push(`foreign module folder on the search path: ${folder}`);
  for (const [specifier, file] of Object.entries(report.resolved)) {
    if (!file.startsWith(`${app.dir}/node_modules/`))
      problems.push(`${specifier} resolves to ${file}`);
  }
  return problems;
}
