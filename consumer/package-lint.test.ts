/**
 * Check 8: the packed tarballs pass publint (strict: warnings fail) and
 * "Are the Types Wrong?" under the esm-only profile (the packages are ESM
 * only, so CommonJS `require` and node10 resolution are out of scope; every
 * other resolution must be clean). Both tools read the .tgz itself, exactly
 * what the registry would serve.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { cleanEnv } from './lib/env.ts';
import { describeRun, run } from './lib/exec.ts';
import { PUBLISHED, REPO_DIR } from './lib/pack.ts';

const BIN = join(REPO_DIR, 'node_modules/.bin');
/** What `--profile esm-only` ignores: CommonJS consumers and pre-exports resolution. */
const IGNORED_BY_PROFILE = ['node10', 'node16-cjs'];

interface AttwJson {
  analysis: { types: false | { kind: string } };
  problems?: Record<string, { kind: string; entrypoint: string; resolutionKind?: string }[]>;
}

function lint(tool: string, args: string[], tarball: string) {
  return run(join(BIN, tool), args, { cwd: dirname(tarball), env: cleanEnv(), timeoutMs: 60_000 });
}

describe.each(PUBLISHED)('the %s tarball', (name) => {
  const tarball = inject('tarballs')[name];

  it('passes publint --strict', async () => {
    const result = await lint('publint', ['--strict', tarball], tarball);
    const report = describeRun(`publint --strict ${tarball}`, result);
    expect(result.code, report).toBe(0);
    expect(result.stdout, report).toContain('All good!');
    expect(result.stdout + result.stderr, report).not.toMatch(/errors?:|warnings?:|suggestions?:/i);
  });

  it('passes attw --profile esm-only', async () => {
    // attw's verdict is its exit code (the JSON format sets it too); the JSON also
    // lists the problems the profile ignores, so check that those are all it ignored.
    const result = await lint(
      'attw',
      ['--profile', 'esm-only', '--format', 'json', tarball],
      tarball,
    );
    const report = describeRun(`attw --profile esm-only --format json ${tarball}`, result);
    expect(result.code, report).toBe(0);
    const { analysis, problems = {} } = JSON.parse(result.stdout) as AttwJson;
    const counted = Object.values(problems)
      .flat()
      .filter((problem) => !IGNORED_BY_PROFILE.includes(problem.resolutionKind ?? ''));
    expect(counted, report).toEqual([]);
    // Every package but the CLI ships types; the CLI is a command and exports only its manifest.
    expect(analysis.types === false ? 'none' : analysis.types.kind).toBe(
      name === 'cli' ? 'none' : 'included',
    );
  });

  if (name === 'cli') {
    it('exports only its package.json', () => {
      const manifest = JSON.parse(
        execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
      );
      expect(manifest.exports).toEqual({ './package.json': './package.json' });
      expect(manifest.bin).toEqual({ 'twclid-kit': 'bin/twclid-kit.js' });
    });
  }
});
