/**
 * Consumer apps: fresh folders under the run's temp scratch folder, each with
 * its own `package.json` and one `npm install` of tarballs and registry
 * packages, the way a new user starts. Test files that need the same install
 * share it by name (files run one after another, so the first one installs).
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { cleanEnv } from './env.ts';
import { describeRun, type RunOptions, type RunResult, run } from './exec.ts';
import type { Published } from './pack.ts';

/** The fixture files copied into the apps (fixtures/<name>/…). */
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface AppSpec {
  /** Packed tarballs to install, by package. */
  tarballs: readonly Published[];
  /** Registry packages, as `npm install` takes them (`hono`, `typescript@5.9.3`). */
  registry: readonly string[];
  /**
   * Packages whose install scripts the app approves (npm 11 `allowScripts`
   * in package.json, as `npm install-scripts approve` writes it): native
   * builds and binary installers a user would approve too.
   */
  allowScripts?: readonly string[];
}

export interface ConsumerApp {
  name: string;
  /** Absolute, symlink-free path of the app folder. */
  dir: string;
  path(...parts: string[]): string;
  read(file: string): string;
  write(file: string, text: string): void;
  /** Copies fixtures/<fixture>/ into the app. */
  copyFixture(fixture: string): void;
  /** The app's environment (see env.ts) plus `extra`. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** Runs a command in the app folder with the app's environment. */
  run(command: string, args: readonly string[], options?: Partial<RunOptions>): Promise<RunResult>;
}

const INSTALL_TIMEOUT_MS = 8 * 60_000;

function appHandle(name: string, dir: string): ConsumerApp {
  const app: ConsumerApp = {
    name,
    dir,
    path: (...parts) => join(dir, ...parts),
    read: (file) => readFileSync(join(dir, file), 'utf8'),
    write(file, text) {
      writeFileSync(join(dir, file), text);
    },
    copyFixture(fixture) {
      cpSync(join(FIXTURES, fixture), dir, { recursive: true });
    },
    env: (extra = {}) => cleanEnv(extra),
    run: (command, args, options = {}) =>
      run(command, args, { cwd: dir, env: app.env(), timeoutMs: 60_000, ...options }),
  };
  return app;
}

/**
 * The app `name` with `spec` installed: created and installed on first use in
 * this run, reused afterwards. Throws with npm's output when the install fails.
 */
export async function consumerApp(name: string, spec: AppSpec): Promise<ConsumerApp> {
  const dir = join(inject('workRoot'), name);
  const marker = join(dir, '.consumer-installed.json');
  const wanted = JSON.stringify(spec);
  if (existsSync(marker)) {
    if (readFileSync(marker, 'utf8') !== wanted) {
      throw new Error(
        `consumer app ${name} was installed with another spec: ${readFileSync(marker, 'utf8')}`,
      );
    }
    return appHandle(name, dir);
  }
  mkdirSync(dir, { recursive: true });
  const real = realpathSync(dir);
  // A new user's app: ESM, private, nothing else.
  writeFileSync(
    join(real, 'package.json'),
    `${JSON.stringify(
      {
        name: `consumer-${name}`,
        version: '0.0.0',
        private: true,
        type: 'module',
        allowScripts: Object.fromEntries((spec.allowScripts ?? []).map((pkg) => [pkg, true])),
      },
      null,
      2,
    )}\n`,
  );
  const tarballs = inject('tarballs');
  const args = [
    'install',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    ...spec.tarballs.map((pkg) => tarballs[pkg]),
    ...spec.registry,
  ];
  const app = appHandle(name, real);
  // JOBS: node-gyp builds a native addon's (better-sqlite3's) sources on every core.
  const env = app.env({ JOBS: 'max' });
  const result = await app.run('npm', args, { env, timeoutMs: INSTALL_TIMEOUT_MS });
  if (result.code !== 0) {
    throw new Error(
      `npm install failed in ${real}\n${describeRun(`npm ${args.join(' ')}`, result)}`,
    );
  }
  // npm's own verdict on the tree: no missing or invalid (peer) dependencies.
  const ls = await app.run('npm', ['ls', '--all']);
  if (ls.code !== 0)
    throw new Error(`npm ls found problems in ${real}\n${describeRun('npm ls --all', ls)}`);
  console.log(`consumer: installed ${name} in ${result.ms} ms`);
  writeFileSync(marker, wanted);
  return appHandle(name, real);
}

/** One installed package found by `installedPackages`. */
export interface InstalledPackage {
  name: string;
  version: string;
  /** Folder relative to the app (`node_modules/a/node_modules/b`). */
  where: string;
}

/**
 * Every package folder in the app's node_modules tree, nested copies
 * included, read from disk rather than from npm's own view of it.
 */
export function installedPackages(app: ConsumerApp): InstalledPackage[] {
  const found: InstalledPackage[] = [];
  const walk = (modules: string) => {
    if (!existsSync(join(app.dir, modules))) return;
    for (const entry of readdirSync(join(app.dir, modules))) {
      if (entry.startsWith('.')) continue;
      const folders = entry.startsWith('@')
        ? readdirSync(join(app.dir, modules, entry)).map((sub) => `${modules}/${entry}/${sub}`)
        : [`${modules}/${entry}`];
      for (const where of folders) {
        const manifest = join(app.dir, where, 'package.json');
        if (!existsSync(manifest)) continue;
        const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
          name?: string;
          version?: string;
        };
        found.push({ name: pkg.name ?? where, version: pkg.version ?? '', where });
        walk(`${where}/node_modules`);
      }
    }
  };
  walk('node_modules');
  return found;
}

/** Package names from `names` that are installed anywhere in the app, with where. */
export function presentOf(app: ConsumerApp, names: readonly string[]): InstalledPackage[] {
  return installedPackages(app).filter((pkg) => names.includes(pkg.name));
}
