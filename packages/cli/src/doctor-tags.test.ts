/**
 * Doctor with only the required settings, over a fake X that answers the
 * reachability probe and the pixel check: nothing fails, the checks that need
 * the optional X_AD_ACCOUNT_ID are skipped, and a pixel token is told how to
 * get the OAuth credentials tag reads need.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runDoctor } from './doctor.ts';
import type { CliIo } from './io.ts';

const X = (async (input: string | URL | Request) => {
  const status = String(input).includes('/measurement/conversions/') ? 400 : 404;
  return new Response('{"errors":[{"code":"X","message":"m"}]}', {
    status,
    headers: { date: new Date(0).toUTCString() },
  });
}) as typeof fetch;

function io(env: Record<string, string>): CliIo {
  return {
    stdout: { write() {} },
    stderr: { write() {} },
    stdin: Readable.from([]),
    env: { X_ADS_API_BASE_URL: 'https://ads-api.example', X_PIXEL_ID: 'o8z6j', ...env },
    now: () => 0,
    sleep: async () => {},
    fetch: X,
    cwd: '/',
  };
}

const OAUTH = {
  X_CONSUMER_KEY: 'ck',
  X_CONSUMER_SECRET: 'cs',
  X_ACCESS_TOKEN: 'at',
  X_ACCESS_TOKEN_SECRET: 'ats',
};

describe('doctor with only the required settings', () => {
  it('skips the access level and tags without X_AD_ACCOUNT_ID and fails nothing', async () => {
    const checks = await runDoctor({}, io(OAUTH));
    expect(checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(checks.find((c) => c.name === 'access level')?.status).toBe('skip');
    expect(checks.find((c) => c.name === 'tags')).toMatchObject({ status: 'skip' });
  });

  it('tells a pixel-token setup that tags need OAuth and `twclid-kit oauth login`', async () => {
    const checks = await runDoctor({}, io({ X_PIXEL_TOKEN: 't', X_AD_ACCOUNT_ID: 'acc' }));
    const tags = checks.find((c) => c.name === 'tags');
    expect(tags?.status).toBe('skip');
    expect(tags?.detail).toContain('OAuth 1.0a Ads API credentials with Standard access');
    expect(tags?.hint).toContain('twclid-kit oauth login');
    expect(checks.filter((c) => c.status === 'fail')).toEqual([]);
  });
});
