import { describe, expect, it } from 'vitest';
import { jobsPath, sendConversions, signedPostQuery, T0 } from '../../test/analytics-helpers.ts';
import { BASE } from '../../test/helpers.ts';
import { createEmulator } from '../app.ts';
import { EMULATOR_DEFAULTS as D } from '../defaults.ts';

const getJson = async (emu: ReturnType<typeof createEmulator>, path: string) =>
  // biome-ignore lint/suspicious/noExplicitAny: inspection bodies are asserted field by field.
  (await (await emu.app.request(`${BASE}${path}`)).json()) as any;

describe('analytics inspection', () => {
  it("shows what was attributed per tag and day in the account's time zone, and the jobs", async () => {
    const emu = createEmulator({
      now: () => T0,
      analytics: { attributionShare: 1, postViewShare: 0, timezone: 'Asia/Tokyo' },
    });
    // 16:00Z on Nov 27 is 01:00 on Nov 28 in Tokyo (UTC+9).
    await sendConversions(emu, [
      { conversion_time: '2026-11-27T14:00:00.000Z' },
      { conversion_time: '2026-11-27T16:00:00.000Z' },
      { conversion_time: '2026-11-27T16:30:00.000Z', event_id: D.events.signUp.id },
    ]);
    const { days } = await getJson(emu, '/_emulator/attributed');
    expect(days).toEqual([
      {
        accountId: D.accountId,
        timezone: 'Asia/Tokyo',
        tagId: D.events.purchase.id,
        tagName: 'Purchase',
        date: '2026-11-27',
        post_engagement: 1,
        post_view: 0,
        total: 1,
      },
      expect.objectContaining({ tagId: D.events.purchase.id, date: '2026-11-28', total: 1 }),
      expect.objectContaining({ tagId: D.events.signUp.id, date: '2026-11-28', total: 1 }),
    ]);
    expect(emu.state.attributed()).toEqual(days);

    const query = {
      entity: 'CAMPAIGN',
      entity_ids: '8wku2,8wku3',
      start_time: '2026-11-26T15:00:00Z',
      end_time: '2026-11-28T15:00:00Z',
      granularity: 'DAY',
      metric_groups: 'WEB_CONVERSION',
      placement: 'ALL_ON_TWITTER',
    };
    expect((await signedPostQuery(emu, jobsPath, query)).status).toBe(200);
    const { jobs } = await getJson(emu, '/_emulator/stats-jobs');
    expect(jobs).toEqual([
      expect.objectContaining({ accountId: D.accountId, status: 'PROCESSING', polls: 0 }),
    ]);

    const config = await getJson(emu, '/_emulator/config');
    expect(config.analytics).toMatchObject({
      timezone: 'Asia/Tokyo',
      attributionShare: 1,
      accounts: [
        { id: D.accountId, timezone: 'Asia/Tokyo', campaigns: [{ id: '8wku2' }, { id: '8wku3' }] },
      ],
      consumers: { [D.consumerKey]: 'standard' },
    });

    await emu.app.request(`${BASE}/_emulator/reset`, { method: 'POST' });
    expect((await getJson(emu, '/_emulator/stats-jobs')).jobs).toEqual([]);
    expect((await getJson(emu, '/_emulator/attributed')).days).toEqual([]);
  });
});
