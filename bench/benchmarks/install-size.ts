/**
 * Install size: what `npm install` puts into a fresh app's node_modules. The
 * packages are packed as `npm publish` would (`packAll()`, each `prepack` a
 * clean build), then installed from those tarballs into new temp apps outside
 * the workspace, together with their registry dependencies:
 *
 *   (a) the server + its browser tarball + hono: a production app on the memory outbox
 *   (b) the same + better-sqlite3: the durable SQLite outbox
 *   (c) for context, the CLI with its own dependencies (server, browser, emulator tarballs)
 *
 * Each app's node_modules is walked (file sizes summed, package folders
 * counted); (b) and (c) are compared with (a).
 *
 *   npm run bench:install-size
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { packAll, type Tarballs } from '../../consumer/lib/pack.ts';
import { runBench } from '../lib/bench-run.ts';
import { run } from '../lib/processes.ts';

interface App {
  id: 'a' | 'b' | 'c';
  name: string;
  /** What `npm install` gets: tarball paths and registry specs. */
  installs: (tarballs: Tarballs) => string[];
}

const APPS: readonly App[] = [
  {
    id: 'a',
    name: '(a) server + browser + hono, memory outbox',
    installs: (t) => [t.server, t.browser, 'hono@^4.12.25'],
  },
  {
    id: 'b',
    name: '(b) (a) + better-sqlite3, SQLite outbox',
    installs: (t) => [t.server, t.browser, 'hono@^4.12.25', 'better-sqlite3@^12'],
  },
  {
    id: 'c',
    name: '(c) CLI with its dependencies',
    installs: (t) => [t.cli, t.server, t.browser, t.emulator],
  },
];

/**
 * The environment of a user's shell: nothing from the `npm run` that started
 * this benchmark (npm_config_local_prefix would install into the repository,
 * the workspace's node_modules/.bin on PATH could stand in for a missing
 * tool), but npm's cache, registry and native-build settings.
 */
function userEnv(): Record<string, string | undefined> {
  const keepNpm = new Set(['cache', 'registry', 'userconfig', 'globalconfig', 'cafile', 'nodedir']);
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(process.env)) {
    const npm = /^npm_(?:config_)?(.+)$/i.exec(key);
    if (npm) {
      env[key] =
        key.toLowerCase().startsWith('npm_config_') && keepNpm.has(npm[1]?.toLowerCase() ?? '')
          ? value
          : undefined;
    } else if (key === 'NODE_OPTIONS' || key === 'NODE_PATH' || key === 'INIT_CWD') {
      env[key] = undefined;
    }
  }
  env.PATH = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((entry) => entry !== '' && !entry.includes('node_modules'))
    .join(path.delimiter);
  return env;
}

interface Tree {
  bytes: number;
  files: number;
  packages: string[];
}

/** Sums the sizes of every regular file under `dir` (symlinks, e.g. .bin entries, not followed). */
function folderBytes(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else if (entry.isFile()) {
        bytes += lstatSync(full).size;
        files++;
      }
    }
  }
  return { bytes, files };
}

/** Package folders (`node_modules/<name>`, `node_modules/@scope/<name>`, nested copies too). */
function packageFolders(modules: string, found: string[] = []): string[] {
  if (!existsSync(modules)) return found;
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith('.')) continue;
    const folders = entry.startsWith('@')
      ? readdirSync(path.join(modules, entry)).map((sub) => path.join(modules, entry, sub))
      : [path.join(modules, entry)];
    for (const folder of folders) {
      if (!existsSync(path.join(folder, 'package.json'))) continue;
      found.push(folder);
      packageFolders(path.join(folder, 'node_modules'), found);
    }
  }
  return found;
}

function measure(appDir: string): Tree {
  const modules = path.join(appDir, 'node_modules');
  return {
    ...folderBytes(modules),
    packages: packageFolders(modules).map((p) => path.relative(modules, p)),
  };
}

async function versionIn(appDir: string, name: string): Promise<string | undefined> {
  try {
    const pkg = JSON.parse(
      await readFile(path.join(appDir, 'node_modules', name, 'package.json'), 'utf8'),
    ) as { version: string };
    return pkg.version;
  } catch {
    return undefined;
  }
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

await runBench(
  {
    id: 'install-size',
    title: 'Install size from the packed tarballs',
    command: 'npm run bench:install-size',
    parameters: { npmInstall: '--prefer-offline', apps: 'a b c' },
  },
  async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'twclid-bench-install-'));
    try {
      const packs = path.join(root, 'packs');
      mkdirSync(packs);
      console.log('  packing the published packages (each prepack builds)…');
      const tarballs = await packAll(packs);
      const env = userEnv();
      const { stdout: npmVersion } = await run('npm', ['--version'], { env, cwd: root });

      const trees = new Map<App['id'], Tree>();
      for (const app of APPS) {
        const dir = path.join(root, `app-${app.id}`);
        mkdirSync(dir);
        await writeFile(
          path.join(dir, 'package.json'),
          `${JSON.stringify({ name: `install-size-${app.id}`, version: '0.0.0', private: true, type: 'module' }, null, 2)}\n`,
        );
        const specs = app.installs(tarballs);
        console.log(`  ${app.name}: npm install ${specs.map((s) => path.basename(s)).join(' ')}`);
        await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...specs], {
          cwd: dir,
          env,
          timeoutMs: 15 * 60_000,
        });
        const tree = measure(dir);
        trees.set(app.id, tree);
        console.log(`    ${mb(tree.bytes)} in ${tree.packages.length} packages`);
      }

      const a = trees.get('a') as Tree;
      const b = trees.get('b') as Tree;
      const c = trees.get('c') as Tree;
      const sqliteDir = path.join(root, 'app-b', 'node_modules', 'better-sqlite3');
      const sqlite = folderBytes(sqliteDir);
      const sqliteBuild = existsSync(path.join(sqliteDir, 'build'))
        ? folderBytes(path.join(sqliteDir, 'build')).bytes
        : 0;
      const compiledHere = existsSync(path.join(sqliteDir, 'build', 'Release', 'obj.target'));
      const addon = path.join(sqliteDir, 'build', 'Release', 'better_sqlite3.node');
      const addonBytes = existsSync(addon) ? statSync(addon).size : 0;
      const has = (tree: Tree, name: string): boolean =>
        tree.packages.some(
          (p) => p === name || p.endsWith(`${path.sep}node_modules${path.sep}${name}`),
        );
      const hono = await versionIn(path.join(root, 'app-a'), 'hono');
      const betterSqlite = await versionIn(path.join(root, 'app-b'), 'better-sqlite3');
      const largestInA = a.packages
        .filter((p) => !p.includes(`${path.sep}node_modules${path.sep}`))
        .map((p) => ({
          name: p,
          bytes: folderBytes(path.join(root, 'app-a', 'node_modules', p)).bytes,
        }))
        .sort((x, y) => y.bytes - x.bytes)
        .slice(0, 4)
        .map((p) => `${p.name} ${mb(p.bytes)}`)
        .join(', ');
      const tarballSizes = Object.entries(tarballs)
        .map(([name, file]) => `${name} ${(statSync(file).size / 1000).toFixed(1)} kB`)
        .join(', ');

      return {
        figures: [
          { name: '(a) server + browser + hono: node_modules', value: a.bytes, unit: 'B' },
          {
            name: '(b) (a) + better-sqlite3: node_modules',
            value: b.bytes,
            unit: 'B',
            baseline: { name: '(a)', value: a.bytes },
          },
          {
            name: '(c) CLI with its dependencies: node_modules',
            value: c.bytes,
            unit: 'B',
            baseline: { name: '(a)', value: a.bytes },
          },
          { name: '(a) packages installed', value: a.packages.length, unit: 'packages' },
          {
            name: '(b) packages installed',
            value: b.packages.length,
            unit: 'packages',
            baseline: { name: '(a)', value: a.packages.length },
          },
          {
            name: '(c) packages installed',
            value: c.packages.length,
            unit: 'packages',
            baseline: { name: '(a)', value: a.packages.length },
          },
          {
            name: 'better-sqlite3 folder in (b)',
            value: sqlite.bytes,
            unit: 'B',
            baseline: { name: '(b) node_modules', value: b.bytes },
          },
          {
            name: 'better-sqlite3 build/ folder in (b)',
            value: sqliteBuild,
            unit: 'B',
            baseline: { name: 'better-sqlite3 folder', value: sqlite.bytes },
          },
        ],
        notes: [
          `In MB: (a) ${mb(a.bytes)}, (b) ${mb(b.bytes)}, (c) ${mb(c.bytes)}. Sizes are the sum of the regular files' sizes under node_modules (apparent size, not disk blocks; symlinks such as .bin entries not followed); packages are folders with a package.json, nested copies included.`,
          `Each app is a new folder outside the workspace with \`npm install --prefer-offline\` of the tarballs from \`packAll()\` (consumer/lib/pack.ts) and registry packages, in a user's environment (no npm settings from the repository); npm ${npmVersion.trim()}, hono ${hono ?? '?'}, better-sqlite3 ${betterSqlite ?? 'not installed'}. Tarballs: ${tarballSizes}. Largest packages in (a): ${largestInA}.`,
          `better-sqlite3 (an optional peer of the server) in (a): ${has(a, 'better-sqlite3') ? 'PRESENT' : 'absent'}; in (c): ${has(c, 'better-sqlite3') ? 'PRESENT' : 'absent'} (the CLI's outbox commands need it installed beside it). @hono/node-server in (a): ${has(a, '@hono/node-server') ? 'PRESENT' : 'absent'} (a Node app adds it itself).`,
          compiledHere
            ? `better-sqlite3 was compiled from source here (its prebuilt binaries are downloaded from GitHub, which this machine cannot reach), so its build/ folder holds the compiler's intermediate files too: ${mb(sqliteBuild)} of its ${mb(sqlite.bytes)}, of which the addon itself (build/Release/better_sqlite3.node) is ${mb(addonBytes)}. With a prebuilt binary, build/ holds little more than that addon.`
            : `better-sqlite3's build/ folder (${mb(sqliteBuild)} of its ${mb(sqlite.bytes)}) holds the prebuilt addon (${mb(addonBytes)}).`,
          'product.md sets no goal for install size; the ratios show what the optional SQLite outbox and the CLI add to the memory-outbox app.',
        ],
      };
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
);
