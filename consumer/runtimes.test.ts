/**
 * Check 7: the server core runs unchanged on Bun and Deno. Each runtime, from
 * the registry's own npm packages in the app, imports the packed server from
 * the app's node_modules, builds a conversion and signs an OAuth 1.0a header
 * with every input fixed; the output must equal what plain Node prints.
 */

import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ConsumerApp, consumerApp } from './lib/app.ts';
import { describeRun, type RunResult } from './lib/exec.ts';
import { BUN, DENO, SERVER_ONLY } from './lib/specs.ts';

let app: ConsumerApp;
let node: RunResult;

interface Signed {
  runtime: string;
  resolved: string;
  result: {
    built: { ok: boolean; conversion?: Record<string, unknown> };
    authorization: string;
  };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function parse(command: string, run: RunResult): Signed {
  expect(run.code, describeRun(command, run)).toBe(0);
  return JSON.parse(run.stdout) as Signed;
}

/** The runtime ran the server from this app's node_modules, not from anywhere else. */
function expectFromApp(signed: Signed) {
  expect(realpathSync(fileURLToPath(signed.resolved))).toBe(
    app.path('node_modules/@twclid-kit/server/dist/index.js'),
  );
}

beforeAll(async () => {
  app = await consumerApp('server-only', SERVER_ONLY);
  app.copyFixture('runtimes');
  node = await app.run(process.execPath, ['sign.mjs']);
});

describe('the server core on Node, Bun and Deno', () => {
  it('builds and signs on Node (the reference)', () => {
    const signed = parse('node sign.mjs', node);
    expect(signed.runtime).toBe('node');
    expectFromApp(signed);
    const { built, authorization } = signed.result;
    expect(built.ok, JSON.stringify(built)).toBe(true);
    expect(built.conversion).toMatchObject({
      conversion_id: 'c0ffee00-0000-4000-8000-000000000001',
      conversion_time: '2026-11-28T10:00:00.000Z',
      value: '20.00',
      price_currency: 'USD',
      identifiers: [
        { twclid: '26l6412g5p4iyj65a2oic2ayg2' },
        { hashed_email: sha256('ann.runtime@example.com') },
      ],
    });
    expect(authorization).toMatch(
      /^OAuth oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog", oauth_nonce=/,
    );
    expect(authorization).toContain('oauth_timestamp="1318622958"');
  });

  it(`prints the same on Bun (${BUN})`, async () => {
    const run = await app.run(app.path('node_modules/.bin/bun'), ['sign.mjs'], {
      env: app.env({ DO_NOT_TRACK: '1' }),
    });
    const signed = parse('bun sign.mjs', run);
    expect(signed.runtime).toBe('bun');
    expectFromApp(signed);
    expect(signed.result).toEqual(parse('node sign.mjs', node).result);
  });

  it(`prints the same on Deno (${DENO})`, async () => {
    const args = ['run', '--allow-read', '--allow-env', '--node-modules-dir=manual', 'sign.mjs'];
    // Deno's own cache inside the app, so nothing is read from or written to the user's.
    const env = app.env({ DENO_DIR: app.path('.deno'), DENO_NO_UPDATE_CHECK: '1' });
    const run = await app.run(app.path('node_modules/.bin/deno'), args, { env });
    const signed = parse(`deno ${args.join(' ')}`, run);
    expect(signed.runtime).toBe('deno');
    expectFromApp(signed);
    expect(signed.result).toEqual(parse('node sign.mjs', node).result);
  });
});

describe('the kit served by Bun and Deno', () => {
  interface Served {
    answers: number[];
    ips: (string | null)[];
  }
  // Two visitors (127.0.0.1 and ::1), a per-IP limit of one: each has its own
  // bucket (one shared "unknown" bucket would answer the second 429), and the
  // IPv4 visitor's address reaches X. IPv6 addresses are counted but not sent
  // to X, which documents only dotted-decimal IPv4 (conversion.ts).
  const expected: Served = { answers: [202, 202], ips: ['127.0.0.1', null] };

  it(`on Bun.serve (${BUN})`, async () => {
    const run = await app.run(app.path('node_modules/.bin/bun'), ['serve.mjs'], {
      env: app.env({ DO_NOT_TRACK: '1' }),
    });
    expect(run.code, describeRun('bun serve.mjs', run)).toBe(0);
    expect(JSON.parse(run.stdout) as Served).toEqual(expected);
  });

  it(`on Deno.serve (${DENO})`, async () => {
    const args = [
      'run',
      '--allow-read',
      '--allow-env',
      '--allow-net',
      '--node-modules-dir=manual',
      'serve.mjs',
    ];
    const env = app.env({ DENO_DIR: app.path('.deno'), DENO_NO_UPDATE_CHECK: '1' });
    const run = await app.run(app.path('node_modules/.bin/deno'), args, { env });
    expect(run.code, describeRun(`deno ${args.join(' ')}`, run)).toBe(0);
    expect(JSON.parse(run.stdout) as Served).toEqual(expected);
  });
});
