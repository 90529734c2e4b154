/**
 * `npx tsc -p packages/server/tsconfig.json` (CI's typecheck) must see every
 * TypeScript file of the package, tests and their helpers included: Vitest
 * strips types without checking them, so a file outside the project's
 * `include` is never typechecked at all.
 */
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';

const PACKAGE = resolve(dirname(fileURLToPath(import.meta.url)), '..');

it('the package tsconfig includes every .ts file of the package (src, test, config)', () => {
  const configPath = join(PACKAGE, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
  expect(error).toBeUndefined();
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, PACKAGE, undefined, configPath);
  const checked = new Set(parsed.fileNames.map((file) => resolve(file)));
  const files = readdirSync(PACKAGE, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.split(/[\\/]/).includes('node_modules'))
    .map((file) => join(PACKAGE, file));
  expect(files.length).toBeGreaterThan(50);
  expect(files.filter((file) => !checked.has(file))).toEqual([]);
});
