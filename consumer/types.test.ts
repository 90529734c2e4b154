/**
 * Check 3: a TypeScript user. The README's server code and an ES module
 * browser consumer, typechecked as strictly as a careful app does it
 * (`module: nodenext`, `strict`, `exactOptionalPropertyTypes`,
 * `noUncheckedIndexedAccess`) and with `skipLibCheck: false`, so our own
 * .d.ts files are checked too, against the installed tarballs only.
 *
 * The README code needs lib DOM for a third-party reason (see
 * fixtures/ts-app/tsconfig.server.json: @hono/node-server's `hono/ws`
 * types), so a second project checks the same route and the core API
 * without DOM: nothing of ours may lean on it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type ConsumerApp, consumerApp, installedPackages } from './lib/app.ts';
import { isolationProblems, isolationReport } from './lib/isolation.ts';
import { TYPES_NODE, TYPESCRIPT } from './lib/specs.ts';
import { typecheck } from './lib/typecheck.ts';

let app: ConsumerApp;

beforeAll(async () => {
  app = await consumerApp('ts-app', {
    tarballs: ['browser', 'server'],
    registry: ['hono', '@hono/node-server', TYPESCRIPT, TYPES_NODE],
  });
  app.copyFixture('ts-app');
});

describe('a TypeScript app installed from the tarballs', () => {
  it('checks against its own node_modules and TypeScript', async () => {
    const report = await isolationReport(app, [
      '@twclid-kit/server',
      '@twclid-kit/browser',
      'hono',
      'typescript',
    ]);
    expect(isolationProblems(app, report), JSON.stringify(report, null, 2)).toEqual([]);
    const typescript = installedPackages(app).filter((pkg) => pkg.name === 'typescript');
    expect(typescript).toEqual([
      { name: 'typescript', version: TYPESCRIPT.split('@')[1], where: 'node_modules/typescript' },
    ]);
  });

  it('typechecks the README server code with 0 errors', async () => {
    const { result, report } = await typecheck(app, 'tsconfig.server.json');
    expect(result.code, report).toBe(0);
    expect(result.stdout + result.stderr, report).toBe('');
  });

  it('typechecks the route and core API without lib DOM (our declarations need only @types/node)', async () => {
    const { result, report } = await typecheck(app, 'tsconfig.core.json');
    expect(result.code, report).toBe(0);
    expect(result.stdout + result.stderr, report).toBe('');
  });

  it('typechecks an ES module browser consumer (lib DOM) with 0 errors', async () => {
    const { result, report } = await typecheck(app, 'tsconfig.browser.json');
    expect(result.code, report).toBe(0);
    expect(result.stdout + result.stderr, report).toBe('');
  });

  it('reports real errors (the check is not vacuous)', async () => {
    app.write(
      'broken.ts',
      "import { twclidKit } from '@twclid-kit/server';\ntwclidKit({ pixelId: 1 });\n",
    );
    app.write(
      'tsconfig.broken.json',
      JSON.stringify({ extends: './tsconfig.core.json', files: ['broken.ts'] }),
    );
    const { result, report } = await typecheck(app, 'tsconfig.broken.json');
    expect(result.code, report).not.toBe(0);
    expect(result.stdout, report).toMatch(/broken\.ts\(2,\d+\): error TS/);
  });
});
