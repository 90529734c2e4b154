/**
 * `tsc -p packages/<name>/tsconfig.json` (CI's typecheck) must see every
 * TypeScript file of each package, tests and their helpers included: Vitest
 * strips types without checking them, so a file outside the project's
 * `include` is never typechecked at all.
 */
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';

const PACKAGES = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Build output and installed packages are not sources. */
const NOT_SOURCE = new Set(['node_modules', 'dist']);

it.each([
  ['browser', 20],
  ['cli', 20],
  ['emulator', 30],
  ['server', 50],
])(
  'the %s tsconfig includes every .ts file of the package (src, test, config)',
  (name, atLeast) => {
    const root = join(PACKAGES, name);
    const configPath = join(root, 'tsconfig.json');
    const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
    expect(error).toBeUndefined();
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root, undefined, configPath);
    const checked = new Set(parsed.fileNames.map((file) => resolve(file)));
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter(
        (file) => file.endsWith('.ts') && !file.split(/[\\/]/).some((part) => NOT_SOURCE.has(part)),
      )
      .map((file) => join(root, file));
    expect(files.length).toBeGreaterThan(atLeast);
    expect(files.filter((file) => !checked.has(file))).toEqual([]);
  },
);
