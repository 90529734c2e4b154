import { describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  sendConversions,
  signedGet,
  statsPath,
  T0,
} from '../../test/analytics-helpers.ts';
import { createEmulator } from '../app.ts';
import { EMULATOR_DEFAULTS as D } from '../defaults.ts';

const CAMPAIGNS = [{ id: 'c1' }];
/** Every conversion attributed, all post-engagement, to the one campaign. */
const ALL = { attributionShare: 1, postViewShare: 0 };

const daily = (start: string, end: string, extra: Record<string, string> = {}) => ({
  entity: 'CAMPAIGN',
  entity_ids: 'c1',
  start_time: start,
  end_time: end,
  granularity: 'DAY',
  metric_groups: 'WEB_CONVERSION',
  placement: 'ALL_ON_TWITTER',
  ...extra,
});

function emulatorIn(timezone: string, analytics: Record<string, number> = ALL) {
  return createEmulator({
    now: () => T0,
    analytics: { ...analytics, timezone },
    accounts: [
      {
        id: ACCOUNT,
        campaigns: CAMPAIGNS,
        pixels: [
          {
            id: D.pixelId,
            events: [
              { id: D.events.purchase.id, name: 'Purchase', type: 'PURCHASE' },
              { id: D.events.signUp.id, name: 'Sign up', type: 'SIGN_UP' },
            ],
          },
        ],
      },
    ],
  });
}

describe('GET /12/stats/accounts/:account_id (synchronous)', () => {
  it("counts a conversion on its day in the account's time zone, across midnight", async () => {
    // 07:30Z is 23:30 on Nov 27 in Los Angeles (PST, UTC-8); 08:30Z is 00:30 on Nov 28.
    const times = ['2026-11-28T07:30:00.000Z', '2026-11-28T08:30:00.000Z'];
    const query = daily('2026-11-27T08:00:00Z', '2026-11-29T08:00:00Z');
    const la = emulatorIn('America/Los_Angeles');
    await sendConversions(
      la,
      times.map((t) => ({ conversion_time: t })),
    );
    const res = await signedGet(la, statsPath, query);
    expect(res.status).toBe(200);
    expect(res.body.time_series_length).toBe(2);
    expect(res.body.data).toHaveLength(1);
    expect(res.body.data[0].id).toBe('c1');
    const { segment, metrics } = res.body.data[0].id_data[0];
    expect(segment).toBeNull();
    expect(metrics.conversion_purchases).toEqual({
      metric: [1, 1],
      post_view: [null, null],
      post_engagement: [1, 1],
    });
    expect(metrics.conversion_sign_ups).toBeNull();
    expect(Object.keys(metrics)).toHaveLength(8);

    // The same conversions in UTC fall on one day: the zone decides the bucket.
    const utc = emulatorIn('UTC');
    await sendConversions(
      utc,
      times.map((t) => ({ conversion_time: t })),
    );
    const q2 = daily('2026-11-27T00:00:00Z', '2026-11-29T00:00:00Z');
    const inUtc = await signedGet(utc, statsPath, q2);
    expect(inUtc.body.data[0].id_data[0].metrics.conversion_purchases.metric).toEqual([null, 2]);
  });

  it('refuses DAY times off local midnight, partial hours and spans over 7 days, naming the parameter', async () => {
    const emu = emulatorIn('America/Los_Angeles');
    const cases: [Record<string, string>, string][] = [
      [daily('2026-11-27T00:00:00Z', '2026-11-28T08:00:00Z'), 'start_time'],
      [daily('2026-11-27T08:30:00Z', '2026-11-28T08:00:00Z'), 'start_time'],
      [daily('2026-11-27T08:00:00Z', '2026-11-27T08:00:00Z'), 'end_time'],
      [daily('2026-11-01T07:00:00Z', '2026-11-09T08:00:00Z'), 'end_time'],
      [
        daily('2026-11-27T08:00:00Z', '2026-11-28T08:00:00Z', { granularity: 'WEEK' }),
        'granularity',
      ],
      [daily('2026-11-27T08:00:00Z', '2026-11-28T08:00:00Z', { placement: 'MOON' }), 'placement'],
      [daily('2026-11-27T08:00:00Z', '2026-11-28T08:00:00Z', { entity_ids: 'nope' }), 'entity_ids'],
      [
        daily('2026-11-27T08:00:00Z', '2026-11-28T08:00:00Z', { metric_groups: 'ENGAGEMENT' }),
        'metric_groups',
      ],
      [
        daily('2026-11-27T08:00:00Z', '2026-11-28T08:00:00Z', {
          segmentation_type: 'CONVERSION_TAGS',
        }),
        'segmentation_type',
      ],
    ];
    for (const [query, parameter] of cases) {
      const res = await signedGet(emu, statsPath, query);
      expect(res.status, parameter).toBe(400);
      expect(res.body.errors[0]).toMatchObject({ code: 'INVALID_PARAMETER', parameter });
    }
    const ids = Array.from({ length: 21 }, () => 'c1').join(',');
    const many = await signedGet(emu, statsPath, {
      ...daily('2026-11-27T08:00:00Z', '2026-11-28T08:00:00Z'),
      entity_ids: ids,
    });
    expect(many.body.errors[0].parameter).toBe('entity_ids');
    const { entity: _e, ...noEntity } = daily('2026-11-27T08:00:00Z', '2026-11-28T08:00:00Z');
    const missing = await signedGet(emu, statsPath, noEntity);
    expect(missing.body.errors[0]).toMatchObject({
      code: 'MISSING_PARAMETER',
      parameter: 'entity',
    });
  });

  it('allows 7 local days across a daylight-saving change (one hour longer)', async () => {
    const emu = emulatorIn('America/Los_Angeles');
    // Nov 1 2026 is the fall-back day in Los Angeles: PDT midnight 07:00Z, PST midnight 08:00Z.
    const res = await signedGet(
      emu,
      statsPath,
      daily('2026-10-29T07:00:00Z', '2026-11-05T08:00:00Z'),
    );
    expect(res.status).toBe(200);
    expect(res.body.time_series_length).toBe(7);
  });

  it('reports HOUR and TOTAL buckets', async () => {
    const emu = emulatorIn('UTC');
    await sendConversions(emu, [
      { conversion_time: '2026-11-28T01:15:00.000Z' },
      { conversion_time: '2026-11-28T03:59:00.000Z' },
    ]);
    const base = daily('2026-11-28T00:00:00Z', '2026-11-28T04:00:00Z');
    const hourly = await signedGet(emu, statsPath, { ...base, granularity: 'HOUR' });
    expect(hourly.body.time_series_length).toBe(4);
    expect(hourly.body.data[0].id_data[0].metrics.conversion_purchases.metric).toEqual([
      null,
      1,
      null,
      1,
    ]);
    const total = await signedGet(emu, statsPath, { ...base, granularity: 'TOTAL' });
    expect(total.body.data[0].id_data[0].metrics.conversion_purchases.metric).toEqual([2]);
    const other = await signedGet(emu, statsPath, {
      ...base,
      granularity: 'TOTAL',
      placement: 'PUBLISHER_NETWORK',
    });
    expect(other.body.data[0].id_data[0].metrics.conversion_purchases).toBeNull();
  });

  it('attributes the configured share, split into post-view and post-engagement, the same way every run', async () => {
    const analytics = { attributionShare: 0.5, postViewShare: 0.5, seed: 7 };
    const times = Array.from({ length: 60 }, (_, i) => ({
      conversion_time: new Date(Date.parse('2026-11-28T00:00:00Z') + i * 60_000).toISOString(),
    }));
    const totals = async () => {
      const emu = emulatorIn('UTC', analytics);
      await sendConversions(emu, times);
      const res = await signedGet(emu, statsPath, {
        ...daily('2026-11-28T00:00:00Z', '2026-11-29T00:00:00Z'),
        granularity: 'TOTAL',
      });
      const m = res.body.data[0].id_data[0].metrics.conversion_purchases;
      return { metric: m.metric[0], pv: m.post_view[0], pe: m.post_engagement[0], emu };
    };
    const a = await totals();
    expect(a.metric).toBe(a.pv + a.pe);
    expect(a.metric).toBeGreaterThan(15);
    expect(a.metric).toBeLessThan(45);
    expect(a.pv).toBeGreaterThan(0);
    expect(a.pe).toBeGreaterThan(0);
    const b = await totals();
    expect([b.metric, b.pv, b.pe]).toEqual([a.metric, a.pv, a.pe]);
    expect(a.emu.state.attributed()).toEqual([
      expect.objectContaining({ date: '2026-11-28', total: a.metric, post_view: a.pv }),
    ]);
  });

  it("spends 250 requests per 15 minutes per user, with X's rate-limit headers", async () => {
    const emu = createEmulator({ now: () => T0, analytics: { statsRequestsPerWindow: 2 } });
    const query = { ...daily('2026-11-27T08:00:00Z', '2026-11-28T08:00:00Z'), entity_ids: '8wku2' };
    const first = await signedGet(emu, statsPath, query);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-rate-limit-limit')).toBe('2');
    expect(first.headers.get('x-rate-limit-remaining')).toBe('1');
    expect(Number(first.headers.get('x-rate-limit-reset'))).toBe(T0 / 1000 + 900);
    await signedGet(emu, statsPath, query);
    const third = await signedGet(emu, statsPath, query);
    expect(third.status).toBe(429);
    expect(third.body.errors[0].code).toBe('TOO_MANY_REQUESTS');
    expect(third.headers.get('x-rate-limit-remaining')).toBe('0');
    expect(third.headers.get('retry-after')).toBe('900');
    emu.clock.advance(15 * 60_000);
    expect((await signedGet(emu, statsPath, query)).status).toBe(200);
    expect(createEmulator().config.analytics.statsRequestsPerWindow).toBe(250);
  });

  it('refuses a Conversion Only app and a user without a stats role with 403', async () => {
    const query = { ...daily('2026-11-27T08:00:00Z', '2026-11-28T08:00:00Z'), entity_ids: '8wku2' };
    const convOnly = createEmulator({
      now: () => T0,
      consumers: [{ key: D.consumerKey, secret: D.consumerSecret, accessLevel: 'conversion_only' }],
    });
    const app = await signedGet(convOnly, statsPath, query);
    expect(app.status).toBe(403);
    expect(app.body.errors[0].code).toBe('UNAUTHORIZED_CLIENT_APPLICATION');
    // The same app still reads tags.
    expect((await signedGet(convOnly, `/12/accounts/${ACCOUNT}/web_event_tags`)).status).toBe(200);

    const noRole = createEmulator({
      now: () => T0,
      users: [{ id: D.userId, screenName: 'x', access: { [ACCOUNT]: ['CREATIVE_MANAGER'] } }],
    });
    const role = await signedGet(noRole, statsPath, query);
    expect(role.status).toBe(403);
    expect(role.body.errors[0]).toMatchObject({ code: 'UNAUTHORIZED_ACCESS' });
    expect(role.body.errors[0].message).toMatch(/CAMPAIGN_ANALYST/);
    const entities = await signedGet(noRole, `${statsPath}/active_entities`, {
      entity: 'CAMPAIGN',
      start_time: '2026-11-01T00:00:00Z',
      end_time: '2026-11-28T00:00:00Z',
    });
    expect(entities.status).toBe(403);
    const analyst = createEmulator({
      now: () => T0,
      users: [{ id: D.userId, screenName: 'x', access: { [ACCOUNT]: ['CAMPAIGN_ANALYST'] } }],
    });
    expect((await signedGet(analyst, statsPath, query)).status).toBe(200);
  });
});

describe('GET /12/stats/accounts/:account_id/active_entities', () => {
  it("lists the account's seeded campaigns", async () => {
    const emu = createEmulator({ now: () => T0 });
    const query = {
      entity: 'CAMPAIGN',
      start_time: '2026-11-01T00:00:00Z',
      end_time: '2026-11-28T00:00:00Z',
    };
    const res = await signedGet(emu, `${statsPath}/active_entities`, query);
    expect(res.status).toBe(200);
    expect(res.body.data.map((e: { entity_id: string }) => e.entity_id)).toEqual([
      '8wku2',
      '8wku3',
    ]);
    expect(res.body.data[0]).toMatchObject({ placements: ['ALL_ON_TWITTER'] });
    const long = await signedGet(emu, `${statsPath}/active_entities`, {
      ...query,
      start_time: '2026-06-01T00:00:00Z',
    });
    expect(long.status).toBe(400);
    expect(long.body.errors[0].parameter).toBe('end_time');
    const lineItems = await signedGet(emu, `${statsPath}/active_entities`, {
      ...query,
      entity: 'LINE_ITEM',
    });
    expect(lineItems.body.errors[0].parameter).toBe('entity');
  });
});
