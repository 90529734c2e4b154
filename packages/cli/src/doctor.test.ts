/**
 * Doctor checks that need a fake X (the clock check cannot be provoked
 * against a real server). End-to-end runs are in test/cli/doctor.test.ts.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runDoctor } from './doctor.ts';
import type { CliIo } from './io.ts';

function io(fetchImpl: typeof fetch, now: number): CliIo {
  return {
    stdout: { write() {} },
    stderr: { write() {} },
    stdin: Readable.from([]),
    env: {
      X_ADS_API_BASE_URL: 'https://ads-api.example',
      X_PIXEL_ID: 'o8z6j',
      X_AD_ACCOUNT_ID: '18ce552mlaq',
      X_PIXEL_TOKEN: 'token',
    },
    now: () => now,
    sleep: async () => {},
    fetch: fetchImpl,
    cwd: '/',
  };
}

const xAt = (date: Date): typeof fetch =>
  (async (input: string | URL | Request) => {
    const url = String(input);
    const status = url.includes('/measurement/conversions/') ? 400 : 404;
    return new Response('{"errors":[{"code":"X","message":"m"}]}', {
      status,
      headers: { date: date.toUTCString() },
    });
  }) as typeof fetch;

describe('doctor clock check', () => {
  const local = Date.parse('2026-11-29T00:00:00Z');

  it.each([
    [0, 'ok'],
    [45_000, 'warn'],
    [-10 * 60_000, 'fail'],
  ])('X %i ms away from this machine → %s', async (offset, status) => {
    const checks = await runDoctor({}, io(xAt(new Date(local + offset)), local));
    const clock = checks.find((c) => c.name === 'clock');
    expect(clock?.status).toBe(status);
    if (status !== 'ok') expect(clock?.hint).toContain('NTP');
  });
});
