/**
 * Check 4: an app that already uses an older hono 4.x minor than the one the
 * repository develops against (4.12.25, the bottom of the server's peer
 * range). Its own hono must be the only copy (a second copy would make
 * `app.route('/tw', kit)` mix two Hono classes), the README code must
 * typecheck against it, and the kit must answer on it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type ConsumerApp, consumerApp, installedPackages } from './lib/app.ts';
import { describeRun } from './lib/exec.ts';
import { isolationProblems, isolationReport } from './lib/isolation.ts';
import { OLDEST_HONO, TYPES_NODE, TYPESCRIPT } from './lib/specs.ts';
import { typecheck } from './lib/typecheck.ts';

let app: ConsumerApp;

beforeAll(async () => {
  app = await consumerApp('old-hono', {
    tarballs: ['browser', 'server'],
    registry: [`hono@${OLDEST_HONO}`, '@hono/node-server', TYPESCRIPT, TYPES_NODE],
  });
  app.copyFixture('ts-app');
  app.copyFixture('smoke');
});

describe(`an app on hono ${OLDEST_HONO}`, () => {
  it('has exactly one hono, its own', async () => {
    const copies = installedPackages(app).filter((pkg) => pkg.name === 'hono');
    expect(copies).toEqual([{ name: 'hono', version: OLDEST_HONO, where: 'node_modules/hono' }]);
    // npm's own view agrees (deduped edges print the same path again).
    const ls = await app.run('npm', ['ls', 'hono', '--all', '--parseable']);
    expect(ls.code, describeRun('npm ls hono --all --parseable', ls)).toBe(0);
    expect([...new Set(ls.stdout.trim().split('\n'))], ls.stdout).toEqual([
      app.path('node_modules/hono'),
    ]);
    const report = await isolationReport(app, ['hono', '@twclid-kit/server']);
    expect(isolationProblems(app, report), JSON.stringify(report, null, 2)).toEqual([]);
  });

  it.each([
    ['the README server code', 'tsconfig.server.json'],
    ['the route and core API (no lib DOM)', 'tsconfig.core.json'],
  ])('typechecks %s against it with 0 errors', async (_what, project) => {
    const { result, report } = await typecheck(app, project);
    expect(result.code, report).toBe(0);
    expect(result.stdout + result.stderr, report).toBe('');
  });

  it('serves the script and accepts an event on it', async () => {
    const result = await app.run(process.execPath, ['smoke.mjs']);
    expect(result.code, describeRun('node smoke.mjs', result)).toBe(0);
    const seen = JSON.parse(result.stdout);
    expect(seen.script.status).toBe(200);
    expect(seen.event).toMatchObject({
      status: 202,
      body: { conversion_id: 'c0ffee00-0000-4000-8000-000000000001' },
    });
    expect(seen.depth, 'the event is in the outbox').toBe(1);
  });

  it("converts form posts and leaves every body to the app's handler (kit.form())", async () => {
    // Before 4.13 Hono derives a form from cached bytes without their content type:
    // the kit must parse the form itself and cache it, or neither it nor the app can.
    const result = await app.run(process.execPath, ['form-smoke.mjs']);
    expect(result.code, describeRun('node form-smoke.mjs', result)).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      seen: [
        {
          status: 'queued',
          body: { email: 'ann@example.com', conversion_id: 'form-1' },
        },
        {
          status: 'queued',
          body: { email: 'ann@example.com', conversion_id: 'form-2', cv: 10 },
        },
        { status: 'skipped', reason: 'body_too_large', body: { note: 'x'.repeat(2000) } },
        { status: 'skipped', reason: 'malformed_body', body: 'not a multipart body' },
      ],
      accepted: 2,
      skipped: { body_too_large: 1, malformed_body: 1 },
    });
  });
});
