/**
 * The report against a scripted X (docs/x-api.md §9 "What the emulator
 * serves" shapes): days in a non-UTC time zone, tag ids in either segment
 * field, jobs that take several polls, TOO_MANY_JOBS, a lagging download, the
 * access errors and `--quick`.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { DeliveredCount } from '../delivered-counts.ts';
import { buildReport, statsQueries } from './report.ts';
import { createAnalyticsClient } from './x-reads.ts';

const AUTH = {
  kind: 'oauth1' as const,
  consumerKey: 'ck',
  consumerSecret: 'cs',
  accessToken: 'at',
  accessTokenSecret: 'ats',
};
const HOUR = 3_600_000;
// 2026-11-30 06:00 UTC is still 2026-11-29 (22:00) in Los Angeles.
const NOW = Date.UTC(2026, 10, 30, 6, 0);

interface FakeOptions {
  timezone?: string;
  /** Polls before a job reports SUCCESS. */
  polls?: number;
  /** Job creations answered TOO_MANY_JOBS before one succeeds. */
  tooManyJobs?: number;
  /** Downloads answered 404 before the file is there. */
  lag?: number;
  segmentField?: 'segment_name' | 'segment_value';
  statsError?: { status: number; code: string };
  tags?: Record<string, unknown>[];
}

function fakeX(o: FakeOptions = {}) {
  const log: string[] = [];
  const jobs = new Map<string, { polls: number; query: URLSearchParams }>();
  let tooMany = o.tooManyJobs ?? 0;
  let lag = o.lag ?? 0;
  const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });
  // Two days of buckets: o87ne attributed 3 (2 engagement, 1 view) on day 0, 1 on day 1.
  const result = (query: URLSearchParams) => {
    const placement = query.get('placement');
    const filled = placement === 'ALL_ON_TWITTER';
    const n = Number(query.get('buckets') ?? 0);
    const series = (values: (number | null)[]) => [
      ...values,
      ...Array(Math.max(0, n - values.length)).fill(null),
    ];
    const metrics = {
      conversion_purchases: filled
        ? { metric: series([3, 1]), post_engagement: series([2, 1]), post_view: series([1, null]) }
        : null,
      conversion_sign_ups: null,
    };
    const segment = query.get('segmentation_type')
      ? {
          segment_name: 'Purchase',
          segment_value: 'o87ne',
          ...(o.segmentField === 'segment_name'
            ? { segment_name: 'o87ne', segment_value: 'something-else' }
            : {}),
        }
      : null;
    return { data: [{ id: 'c1', id_data: filled ? [{ segment, metrics }] : [] }] };
  };
  const fetch = (async (input: string) => {
    const url = new URL(input);
    const path = url.pathname;
    log.push(
      `${path}${url.search ? `?${url.searchParams.get('placement') ?? url.searchParams.get('job_ids') ?? ''}` : ''}`,
    );
    if (path === '/12/accounts/acc1')
      return json({ data: { id: 'acc1', timezone: o.timezone ?? 'America/Los_Angeles' } });
    if (path === '/12/accounts/acc1/web_event_tags') {
      const ids = (url.searchParams.get('web_event_tag_ids') ?? '').split(',');
      const tags = o.tags ?? [
        {
          id: 'o87ne',
          name: 'Purchase',
          type: 'PURCHASE',
          status: 'TRACKING',
          last_tracked_at: null,
          deleted: false,
        },
      ];
      return json({ data: tags.filter((t) => ids.includes(String(t.id))) });
    }
    if (o.statsError && path.includes('/stats/')) {
      return json(
        { errors: [{ code: o.statsError.code, message: 'refused' }] },
        o.statsError.status,
      );
    }
    if (path === '/12/stats/accounts/acc1/active_entities') {
      return json({
        data: [{ entity_id: 'c1', placements: ['ALL_ON_TWITTER', 'PUBLISHER_NETWORK'] }],
      });
    }
    const buckets = String(
      Math.round(
        (Date.parse(url.searchParams.get('end_time') ?? '') -
          Date.parse(url.searchParams.get('start_time') ?? '')) /
          (24 * HOUR),
      ),
    );
    if (path === '/12/stats/accounts/acc1') {
      url.searchParams.set('buckets', buckets);
      return json(result(url.searchParams));
    }
    if (path === '/12/stats/jobs/accounts/acc1' && url.searchParams.has('placement')) {
      if (tooMany > 0) {
        tooMany--;
        return json({ errors: [{ code: 'TOO_MANY_JOBS', message: 'too many' }] }, 400);
      }
      const id = String(jobs.size + 1);
      url.searchParams.set('buckets', buckets);
      jobs.set(id, { polls: 0, query: url.searchParams });
      return json({ data: { id: Number(id), id_str: id, status: 'PROCESSING', url: null } }, 200, {
        'x-concurrent-job-limit': '100',
        'x-concurrent-job-limit-remaining': String(100 - jobs.size),
      });
    }
    if (path === '/12/stats/jobs/accounts/acc1') {
      const ids = (url.searchParams.get('job_ids') ?? '').split(',');
      return json({
        data: ids.map((id) => {
          const job = jobs.get(id) as { polls: number };
          job.polls++;
          const done = job.polls >= (o.polls ?? 1);
          return {
            id: Number(id),
            id_str: id,
            status: done ? 'SUCCESS' : 'PROCESSING',
            url: done ? `https://x.test/results/${id}.json.gz` : null,
          };
        }),
      });
    }
    if (path.startsWith('/results/')) {
      if (lag > 0) {
        lag--;
        return new Response('not yet', { status: 404 });
      }
      const id = path.slice('/results/'.length).replace('.json.gz', '');
      return new Response(
        gzipSync(JSON.stringify(result((jobs.get(id) as { query: URLSearchParams }).query))),
        {
          headers: { 'content-type': 'application/gzip' },
        },
      );
    }
    return json({ errors: [{ code: 'NOT_FOUND', message: path }] }, 404);
  }) as unknown as typeof globalThis.fetch;
  return { fetch, log, jobs };
}

function setup(
  o: FakeOptions = {},
  auth: Parameters<typeof createAnalyticsClient>[0]['auth'] = AUTH,
) {
  const x = fakeX(o);
  const slept: number[] = [];
  const client = createAnalyticsClient({
    baseUrl: 'https://x.test',
    version: '12',
    accountId: 'acc1',
    auth,
    fetch: x.fetch,
    now: () => NOW,
  });
  const run = (extra: Partial<Parameters<typeof buildReport>[0]> = {}) =>
    buildReport({
      client,
      delivered: DELIVERED,
      days: 2,
      now: () => NOW,
      sleep: async (ms) => {
        slept.push(ms);
      },
      fetch: x.fetch,
      pollMs: 10,
      ...extra,
    });
  return { x, run, slept };
}

const bucket = (eventId: string, hour: number, count: number): DeliveredCount => ({
  pixelId: 'o8z6j',
  eventId,
  hour,
  count,
  firstDeliveredAt: hour + 60_000,
  lastDeliveredAt: hour + 120_000,
});
// 2026-11-29 07:00 UTC is 2026-11-28 23:00 in Los Angeles; 08:00 UTC is 2026-11-29 00:00.
const DELIVERED = [
  bucket('o87ne', Date.UTC(2026, 10, 29, 7), 4),
  bucket('o87ne', Date.UTC(2026, 10, 29, 8), 2),
  bucket('o87ne', Date.UTC(2026, 10, 30, 5), 1),
];

describe('buildReport', () => {
  it('groups deliveries by day in the account time zone, across UTC midnight', async () => {
    const { run } = setup({});
    const report = await run();
    expect(report.days).toEqual(['2026-11-28', '2026-11-29']);
    expect(report.startTime).toBe('2026-11-28T08:00:00Z');
    expect(report.endTime).toBe('2026-11-30T08:00:00Z');
    const rows = report.rows.map((r) => [
      r.key,
      r.day,
      r.delivered,
      r.postEngagement,
      r.postView,
      r.attributed,
    ]);
    expect(rows).toEqual([
      ['o87ne', '2026-11-28', 4, 2, 1, 3],
      ['o87ne', '2026-11-29', 3, 1, 0, 1],
    ]);
    expect(report.rows[0]?.ratio).toBeCloseTo(0.75);
    expect(report.rows[0]?.name).toBe('Purchase');
    // Both days ended less than 24 h before NOW (2026-11-28 ended 22 h ago).
    expect(report.rows.map((r) => r.provisional)).toEqual([true, true]);
    expect(report.notes[0]).toContain('Fewer attributed than delivered is normal');
  });

  it('puts the same deliveries on other days for a UTC account', async () => {
    const { run } = setup({ timezone: 'UTC' });
    const report = await run();
    expect(report.days).toEqual(['2026-11-29', '2026-11-30']);
    expect(report.rows.map((r) => r.delivered)).toEqual([6, 1]);
    const three = await run({ days: 3 });
    expect(three.rows.map((r) => r.provisional)).toEqual([false, true, true]);
  });

  it('finds the tag id in segment_name as well as segment_value', async () => {
    const { run } = setup({ segmentField: 'segment_name' });
    const report = await run();
    expect(report.rows.map((r) => r.attributed)).toEqual([3, 1]);
  });

  it('runs one job per placement, polls until SUCCESS and retries a lagging download', async () => {
    const { run, x, slept } = setup({ polls: 3, lag: 2 });
    const progress: number[] = [];
    const report = await run({ onProgress: (p) => progress.push(p.done) });
    expect(report.requests).toBe(2);
    expect(x.jobs.size).toBe(2);
    expect(
      x.log.filter((l) => l.startsWith('/12/stats/jobs/accounts/acc1?1')).length,
    ).toBeGreaterThanOrEqual(3);
    expect(x.log.filter((l) => l.startsWith('/results/')).length).toBe(4);
    expect(slept.filter((ms) => ms === 10).length).toBeGreaterThanOrEqual(3);
    expect(progress.at(-1)).toBe(2);
    expect(report.rows.map((r) => r.attributed)).toEqual([3, 1]);
  });

  it('waits and tries again on TOO_MANY_JOBS', async () => {
    const { run, x } = setup({ tooManyJobs: 3 });
    const waits: boolean[] = [];
    const report = await run({ onProgress: (p) => waits.push(p.waitingForSlots === true) });
    expect(waits.filter(Boolean).length).toBe(3);
    expect(x.jobs.size).toBe(2);
    expect(report.rows.map((r) => r.attributed)).toEqual([3, 1]);
  });

  it('reports a tag X does not know with zero attributed', async () => {
    const { run } = setup({});
    const report = await run({ tagIds: ['zzzzz'] });
    const unknown = report.rows.filter((r) => r.key === 'zzzzz');
    expect(unknown.map((r) => [r.delivered, r.attributed, r.name])).toEqual([
      [0, 0, undefined],
      [0, 0, undefined],
    ]);
  });

  it('names the missing stats permission and the Conversion-only app', async () => {
    const role = setup({ statsError: { status: 403, code: 'UNAUTHORIZED_ACCESS' } });
    await expect(role.run()).rejects.toMatchObject({ kind: 'access', status: 403 });
    const app = setup({ statsError: { status: 403, code: 'UNAUTHORIZED_CLIENT_APPLICATION' } });
    await expect(app.run()).rejects.toThrow(/UNAUTHORIZED_CLIENT_APPLICATION/);
  });

  it('refuses the pixel token before any request', async () => {
    const { run, x } = setup({}, { kind: 'pixel-token', token: 't' });
    await expect(run()).rejects.toMatchObject({ kind: 'pixel-token' });
    expect(x.log).toEqual([]);
  });

  it('--quick sums the sync endpoint by conversion type', async () => {
    const { run, x } = setup({});
    const report = await run({ quick: true });
    expect(report.mode).toBe('quick');
    expect(x.jobs.size).toBe(0);
    expect(report.rows.map((r) => [r.key, r.delivered, r.attributed])).toEqual([
      ['conversion_purchases', 4, 3],
      ['conversion_purchases', 3, 1],
    ]);
    await expect(run({ quick: true, days: 8 })).rejects.toThrow(/1 to 7/);
  });

  it('batches 20 campaigns per query and placement', () => {
    const campaigns = Array.from({ length: 45 }, (_, i) => ({
      id: `c${i}`,
      placements: ['ALL_ON_TWITTER'],
    }));
    const queries = statsQueries(campaigns, { startTime: 'a', endTime: 'b' }, 'CONVERSION_TAGS');
    expect(queries.map((q) => q.entityIds.length)).toEqual([20, 20, 5]);
    expect(
      statsQueries([{ id: 'c', placements: [] }], { startTime: 'a', endTime: 'b' }).map(
        (q) => q.placement,
      ),
    ).toEqual(['ALL_ON_TWITTER', 'PUBLISHER_NETWORK']);
  });
});
