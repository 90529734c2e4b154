/**
 * Check 6: `@twclid-kit/server` installed with hono and nothing else, as an
 * edge or Bun/Deno user has it. Optional and development-only packages must
 * stay out of the tree; the SQLite and Postgres entries must say how to get
 * their optional peers; the main entry must work on the memory outbox.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type ConsumerApp, consumerApp, presentOf } from './lib/app.ts';
import { describeRun } from './lib/exec.ts';
import { isolationProblems, isolationReport } from './lib/isolation.ts';
import { SERVER_ONLY } from './lib/specs.ts';

let app: ConsumerApp;

/** Packages the server must not pull in: optional peers, dev tools, the CLI's and emulator's dependencies. */
const NOT_EXPECTED = [
  'better-sqlite3',
  'pg',
  '@twclid-kit/emulator',
  '@twclid-kit/cli',
  'commander',
  'csv-parse',
  'csv-stringify',
  'cli-progress',
  '@hono/node-server',
  'tsx',
  'typescript',
  'esbuild',
];

beforeAll(async () => {
  app = await consumerApp('server-only', SERVER_ONLY);
  app.copyFixture('smoke');
});

describe('the server tarball with hono alone', () => {
  it('installs none of the optional or development packages', async () => {
    expect(presentOf(app, NOT_EXPECTED)).toEqual([]);
    const report = await isolationReport(app, ['@twclid-kit/server', 'hono']);
    expect(isolationProblems(app, report), JSON.stringify(report, null, 2)).toEqual([]);
  });

  it('fails to import @twclid-kit/server/sqlite with the install command in the message', async () => {
    const result = await app.run(process.execPath, ['sqlite-missing.mjs']);
    expect(result.code, describeRun('node sqlite-missing.mjs', result)).toBe(0);
    const seen = JSON.parse(result.stdout);
    expect(seen.imported).toBe(false);
    expect(seen.message).toContain('npm install better-sqlite3');
    expect(seen.cause).toBe('ERR_MODULE_NOT_FOUND');
  });

  it('fails to import @twclid-kit/server/postgres naming pg and its install command', async () => {
    const result = await app.run(process.execPath, ['postgres-missing.mjs']);
    expect(result.code, describeRun('node postgres-missing.mjs', result)).toBe(0);
    const seen = JSON.parse(result.stdout);
    expect(seen.imported).toBe(false);
    expect(seen.message).toContain('needs pg');
    expect(seen.message).toContain('npm install pg@^8');
    expect(seen.cause).toBe('ERR_MODULE_NOT_FOUND');
  });

  it('answers requests from the main entry on the memory outbox', async () => {
    const result = await app.run(process.execPath, ['smoke.mjs']);
    expect(result.code, describeRun('node smoke.mjs', result)).toBe(0);
    const seen = JSON.parse(result.stdout);
    expect(seen.script.status).toBe(200);
    expect(seen.script.bytes).toBeGreaterThan(1000);
    expect(seen.event).toMatchObject({
      status: 202,
      body: { conversion_id: 'c0ffee00-0000-4000-8000-000000000001' },
    });
    expect(seen.depth, 'the event is in the outbox').toBe(1);
  });
});
