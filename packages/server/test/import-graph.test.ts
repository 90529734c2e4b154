/**
 * The main entry (route, dispatcher, memory store) and the core entry (the
 * building blocks) must run on edge runtimes: nothing in their import graphs
 * may be Node-only. The SQLite store is reached only through
 * `@twclid-kit/server/sqlite`.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
const SPECIFIER =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every bare (package or builtin) specifier reachable from `entry`, with the file importing it. */
function bareImports(entry: string): Map<string, string> {
  const seen = new Set<string>();
  const bare = new Map<string, string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(SPECIFIER)) {
      const spec = (match[1] ?? match[2] ?? match[3]) as string;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else if (!bare.has(spec)) bare.set(spec, file.slice(SRC.length + 1));
    }
  };
  visit(entry);
  return bare;
}

const NODE_ONLY = new Set([...builtinModules, 'better-sqlite3', 'pg']);
const isNodeOnly = (spec: string) =>
  spec.startsWith('node:') || NODE_ONLY.has(spec.split('/')[0] as string);

describe('import graph', () => {
  it('the main entry imports nothing Node-only (no node:, no better-sqlite3)', () => {
    const offenders = [...bareImports(resolve(SRC, 'index.ts'))].filter(([spec]) =>
      isNodeOnly(spec),
    );
    expect(offenders).toEqual([]);
  });

  it('the core entry imports nothing Node-only (no node:, no better-sqlite3)', () => {
    const offenders = [...bareImports(resolve(SRC, 'core.ts'))].filter(([spec]) =>
      isNodeOnly(spec),
    );
    expect(offenders).toEqual([]);
  });

  it('the analytics entry imports nothing Node-only (no node:, no better-sqlite3)', () => {
    const offenders = [...bareImports(resolve(SRC, 'analytics.ts'))].filter(([spec]) =>
      isNodeOnly(spec),
    );
    expect(offenders).toEqual([]);
  });

  it('the walker does see Node-only imports (the sqlite entry has them)', () => {
    const specs = [...bareImports(resolve(SRC, 'sqlite.ts')).keys()];
    expect(specs).toEqual(expect.arrayContaining(['better-sqlite3', 'node:fs']));
  });
});
