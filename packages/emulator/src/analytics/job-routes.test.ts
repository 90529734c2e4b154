import { describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  download,
  jobsPath,
  sendConversions,
  signedGet,
  signedPostQuery,
  T0,
  TS,
} from '../../test/analytics-helpers.ts';
import { BASE, oauthHeader } from '../../test/helpers.ts';
import { createEmulator } from '../app.ts';
import { EMULATOR_DEFAULTS as D } from '../defaults.ts';
import type { AnalyticsOptions } from './analytics-config.ts';

const segmented = (extra: Record<string, string> = {}) => ({
  entity: 'CAMPAIGN',
  entity_ids: 'c1',
  start_time: '2026-11-20T08:00:00Z',
  end_time: '2026-11-29T08:00:00Z',
  granularity: 'DAY',
  metric_groups: 'WEB_CONVERSION',
  placement: 'ALL_ON_TWITTER',
  segmentation_type: 'CONVERSION_TAGS',
  ...extra,
});

function emulator(analytics: AnalyticsOptions = {}) {
  return createEmulator({
    now: () => T0,
    analytics: { attributionShare: 1, postViewShare: 0, ...analytics },
    accounts: [
      {
        id: ACCOUNT,
        campaigns: [{ id: 'c1' }],
        pixels: [
          {
            id: D.pixelId,
            events: [
              { id: D.events.purchase.id, name: 'Purchase', type: 'PURCHASE' },
              { id: D.events.lead.id, name: 'Lead', type: 'CUSTOM' },
            ],
          },
        ],
      },
    ],
  });
}

const poll = (emu: ReturnType<typeof emulator>, ids: string) =>
  signedGet(emu, jobsPath, { job_ids: ids });

describe('stats jobs', () => {
  it('stays PROCESSING for several polls, then SUCCESS with a gzip result segmented by tag', async () => {
    const emu = emulator({ jobPolls: 3 });
    await sendConversions(emu, [
      { conversion_time: '2026-11-27T20:00:00.000Z' },
      { conversion_time: '2026-11-27T21:00:00.000Z', event_id: D.events.lead.id },
    ]);
    const created = await signedPostQuery(emu, jobsPath, segmented());
    expect(created.status).toBe(200);
    expect(created.headers.get('x-concurrent-job-limit')).toBe('100');
    expect(created.headers.get('x-concurrent-job-limit-remaining')).toBe('99');
    const job = created.body.data;
    expect(job).toMatchObject({
      status: 'PROCESSING',
      url: null,
      id_str: String(job.id),
      segmentation_type: 'CONVERSION_TAGS',
      entity_ids: ['c1'],
      start_time: '2026-11-20T08:00:00.000Z',
    });
    expect((await poll(emu, job.id_str)).body.data[0].status).toBe('PROCESSING');
    expect((await poll(emu, job.id_str)).body.data[0].status).toBe('PROCESSING');
    const done = (await poll(emu, job.id_str)).body.data[0];
    expect(done.status).toBe('SUCCESS');
    expect(done.url).toBe(`${BASE}/_emulator/stats-results/${job.id_str}.json.gz`);

    const result = await download(emu, done.url);
    expect(result.body.time_series_length).toBe(9);
    const idData = result.body.data[0].id_data;
    expect(idData).toHaveLength(2);
    const purchase = idData.find(
      (d: { segment: { segment_value: string } }) =>
        d.segment.segment_value === D.events.purchase.id,
    );
    // The emulator's documented choice: the tag id in segment_value, its name in segment_name.
    expect(purchase.segment).toEqual({
      segment_name: 'Purchase',
      segment_value: D.events.purchase.id,
    });
    // 20:00Z on Nov 27 is noon in Los Angeles: the 8th day of the span (Nov 20 .. Nov 28).
    expect(purchase.metrics.conversion_purchases.metric).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      1,
      null,
    ]);
    expect(purchase.metrics.conversion_custom).toBeNull();
  });

  it('reports an empty id_data for a campaign without attributed conversions', async () => {
    const emu = emulator({ jobPolls: 1 });
    const job = (await signedPostQuery(emu, jobsPath, segmented())).body.data;
    const done = (await poll(emu, job.id_str)).body.data[0];
    expect((await download(emu, done.url)).body.data).toEqual([{ id: 'c1', id_data: [] }]);
  });

  it('waits for the emulator clock when jobDelayMs is set', async () => {
    const emu = emulator({ jobPolls: 0, jobDelayMs: 60_000 });
    const job = (await signedPostQuery(emu, jobsPath, segmented())).body.data;
    expect((await poll(emu, job.id_str)).body.data[0].status).toBe('PROCESSING');
    emu.clock.advance(60_000);
    expect((await poll(emu, job.id_str)).body.data[0].status).toBe('SUCCESS');
  });

  it('answers 400 TOO_MANY_JOBS past the processing limit, and accepts again once jobs finish', async () => {
    const emu = emulator({ jobPolls: 1, maxProcessingJobs: 2 });
    const a = await signedPostQuery(emu, jobsPath, segmented());
    const b = await signedPostQuery(emu, jobsPath, segmented());
    expect(b.headers.get('x-concurrent-job-limit-remaining')).toBe('0');
    const c = await signedPostQuery(emu, jobsPath, segmented());
    expect(c.status).toBe(400);
    expect(c.body.errors[0].code).toBe('TOO_MANY_JOBS');
    expect(c.headers.get('x-concurrent-job-limit')).toBe('2');
    expect(c.headers.get('x-concurrent-job-limit-remaining')).toBe('0');
    const polled = await signedGet(emu, jobsPath);
    expect(polled.body.data.map((j: { id_str: string }) => j.id_str)).toEqual([
      a.body.data.id_str,
      b.body.data.id_str,
    ]);
    expect((await signedPostQuery(emu, jobsPath, segmented())).status).toBe(200);
    expect(emu.state.statsJobs()).toHaveLength(3);
  });

  it('lags the download behind the status when resultLagRequests is set', async () => {
    const emu = emulator({ jobPolls: 1, resultLagRequests: 1 });
    const job = (await signedPostQuery(emu, jobsPath, segmented())).body.data;
    const { url } = (await poll(emu, job.id_str)).body.data[0];
    expect((await download(emu, url)).status).toBe(404);
    expect((await download(emu, url)).status).toBe(200);
    expect((await emu.app.request(`${BASE}/_emulator/stats-results/999.json.gz`)).status).toBe(404);
  });

  it('forgets a finished job a week after it succeeded', async () => {
    const emu = emulator({ jobPolls: 1 });
    const job = (await signedPostQuery(emu, jobsPath, segmented())).body.data;
    const { url } = (await poll(emu, job.id_str)).body.data[0];
    emu.clock.advance(7 * 24 * 3_600_000 + 1);
    await signedPostQuery(emu, jobsPath, segmented());
    expect((await download(emu, url)).status).toBe(404);
    expect((await poll(emu, job.id_str)).body.data).toEqual([]);
  });

  it('allows 45 days segmented and 90 unsegmented, and takes parameters from a form body', async () => {
    const emu = emulator();
    const long = { start_time: '2026-10-01T07:00:00Z', end_time: '2026-11-20T08:00:00Z' };
    const refused = await signedPostQuery(emu, jobsPath, segmented(long));
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]).toMatchObject({ parameter: 'end_time' });
    const { segmentation_type: _s, ...unsegmented } = segmented(long);
    expect((await signedPostQuery(emu, jobsPath, unsegmented)).status).toBe(200);

    const url = `${BASE}${jobsPath}`;
    const form = segmented();
    const res = await emu.app.request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: oauthHeader('POST', url, { timestamp: TS, data: form }),
      },
      body: new URLSearchParams(form).toString(),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { status: string } }).data.status).toBe('PROCESSING');
  });

  it('refuses a Conversion Only app and a user without a stats role', async () => {
    const convOnly = createEmulator({
      now: () => T0,
      consumers: [{ key: D.consumerKey, secret: D.consumerSecret, accessLevel: 'conversion_only' }],
    });
    const query = { ...segmented(), entity_ids: '8wku2' };
    const app = await signedPostQuery(convOnly, jobsPath, query);
    expect(app.status).toBe(403);
    expect(app.body.errors[0].code).toBe('UNAUTHORIZED_CLIENT_APPLICATION');
    const noRole = createEmulator({
      now: () => T0,
      users: [{ id: D.userId, screenName: 'x', access: { [ACCOUNT]: ['ANALYST'] } }],
    });
    expect((await signedPostQuery(noRole, jobsPath, query)).status).toBe(403);
    expect((await signedGet(noRole, jobsPath)).status).toBe(403);
  });
});
