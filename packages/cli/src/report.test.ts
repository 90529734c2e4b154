import { Readable } from 'node:stream';
import { AnalyticsError, type DeliveryReport } from '@twclid-kit/server/analytics';
import { describe, expect, it } from 'vitest';
import { CommandFailed } from './exit-codes.ts';
import type { CliIo } from './io.ts';
import { printReport } from './report.ts';
import { commandFailure } from './report-access.ts';

function io(): CliIo & { out: string[] } {
  const out: string[] = [];
  return {
    out,
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write() {} },
    stdin: Readable.from([]),
    env: {},
    now: () => 0,
    sleep: async () => {},
    fetch: globalThis.fetch,
    cwd: '/',
  };
}

const REPORT: DeliveryReport = {
  mode: 'tags',
  account: { id: 'acc1', timezone: 'America/Los_Angeles' },
  days: ['2026-11-28', '2026-11-29'],
  startTime: '2026-11-28T08:00:00Z',
  endTime: '2026-11-30T08:00:00Z',
  campaigns: 1,
  requests: 2,
  rows: [
    {
      key: 'o87ne',
      name: 'Purchase',
      day: '2026-11-28',
      provisional: false,
      delivered: 4,
      postEngagement: 2,
      postView: 1,
      attributed: 3,
      ratio: 0.75,
    },
    {
      key: 'o87ne',
      name: 'Purchase',
      day: '2026-11-29',
      provisional: true,
      delivered: 0,
      postEngagement: 0,
      postView: 0,
      attributed: 0,
      ratio: null,
    },
  ],
  notes: ['Fewer attributed than delivered is normal.'],
};

describe('printReport', () => {
  it('prints a table with totals, provisional days starred and the notes', () => {
    const o = io();
    printReport(REPORT, o, 'table');
    const text = o.out.join('');
    expect(text).toContain('America/Los_Angeles');
    expect(text).toMatch(/o87ne\s+Purchase\s+2026-11-28\s+4\s+2\s+1\s+3\s+75%/);
    expect(text).toMatch(/2026-11-29\*\s+0\s+0\s+0\s+0\s+-/);
    expect(text).toMatch(/o87ne\s+total\s+4\s+3\s+75%/);
    expect(text).toContain('Fewer attributed than delivered is normal.');
  });

  it('prints CSV with a header row and one row per tag and day', () => {
    const o = io();
    printReport(REPORT, o, 'csv');
    expect(o.out.join('').trim().split('\n')).toEqual([
      'tag,name,day,provisional,delivered,post_engagement,post_view,attributed,ratio',
      'o87ne,Purchase,2026-11-28,false,4,2,1,3,0.7500',
      'o87ne,Purchase,2026-11-29,true,0,0,0,0,',
    ]);
  });
});

describe('commandFailure', () => {
  it('tells a pixel-token user to get OAuth credentials with `twclid-kit oauth login`', () => {
    const failure = commandFailure(new AnalyticsError('pixel-token', 'x')) as CommandFailed;
    expect(failure).toBeInstanceOf(CommandFailed);
    expect(failure.message).toContain('OAuth 1.0a');
    expect(failure.hint).toContain('twclid-kit oauth login');
    expect(failure.hint).toContain('Standard access');
  });

  it('tells a Conversion-only app from a user without a stats role', () => {
    const app = commandFailure(
      new AnalyticsError('access', 'stats: HTTP 403', {
        status: 403,
        errors: [{ code: 'UNAUTHORIZED_CLIENT_APPLICATION', message: '' }],
      }),
    ) as CommandFailed;
    expect(app.hint).toContain('Conversion Only');
    const role = commandFailure(
      new AnalyticsError('access', 'stats: HTTP 403', {
        status: 403,
        errors: [{ code: 'UNAUTHORIZED_ACCESS', message: '' }],
      }),
    ) as CommandFailed;
    expect(role.hint).toContain('CAMPAIGN_ANALYST');
  });

  it('passes other errors through', () => {
    const error = new Error('boom');
    expect(commandFailure(error)).toBe(error);
  });
});
