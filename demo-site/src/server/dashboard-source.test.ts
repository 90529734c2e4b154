import type {
  ConversionGroup,
  EmulatorStats,
  EventRecord,
  FaultConfig,
} from '@twclid-kit/emulator';
import { describe, expect, it } from 'vitest';
import type { OutboxView } from '../shared/dashboard-view.ts';
import {
  CHART_SLOTS,
  conversionRows,
  createDashboardSource,
  recentDebugIds,
  timedEvents,
} from './dashboard-source.ts';
import type { EmulatorClient } from './emulator-client.ts';

const T0 = Date.parse('2026-01-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function record(partial: Partial<EventRecord>): EventRecord {
  return {
    seq: 1,
    channel: 'capi',
    type: 'conversion',
    receivedAt: iso(T0),
    debugId: 'dbg',
    httpStatus: 200,
    pixelId: 'o8z6j',
    accountId: '18ce552mlaq',
    eventId: 'o87ne',
    eventKey: 'o87ne',
    conversionId: 'c-1',
    conversionTime: iso(T0),
    twclid: 'click',
    twclidSource: null,
    hashedEmail: 'e'.repeat(64),
    hashedPhoneNumber: null,
    ipAddress: null,
    userAgent: null,
    value: null,
    currency: null,
    numberItems: null,
    pageUrl: null,
    auth: { method: 'oauth', ok: true },
    validation: { ok: true, errors: [] },
    dedup: 'counted',
    conversionGroupId: 'g',
    fault: null,
    ...partial,
  };
}

function group(partial: Partial<ConversionGroup>): ConversionGroup {
  return {
    id: 'g',
    pixelId: 'o8z6j',
    eventId: 'o87ne',
    conversionId: 'c-1',
    firstSeenAt: iso(T0),
    windowEndsAt: iso(T0 + 48 * 3_600_000),
    verdict: 'counted_once',
    counted: 1,
    pixel: [],
    capi: [],
    ...partial,
  };
}

describe('conversionRows', () => {
  it('puts each group newest first with its Pixel and CAPI copies side by side', () => {
    const rows = conversionRows(
      [
        group({
          conversionId: 'old',
          firstSeenAt: iso(T0),
          pixel: [record({ channel: 'pixel', receivedAt: iso(T0), twclid: 'a' })],
          capi: [
            record({
              receivedAt: iso(T0 + 500),
              twclid: 'a',
              hashedPhoneNumber: 'p'.repeat(64),
              dedup: 'deduplicated',
            }),
            record({ receivedAt: iso(T0 + 900), twclid: 'a', dedup: 'deduplicated' }),
          ],
        }),
        group({
          conversionId: 'new',
          eventId: 'o87nf',
          firstSeenAt: iso(T0 + 1_000),
          verdict: 'unmatched',
        }),
      ],
      new Map([['o87ne', 'Purchase']]),
    );
    expect(rows.map((r) => r.conversionId)).toEqual(['new', 'old']);
    expect(rows[0]).toMatchObject({ eventId: 'o87nf', verdict: 'unmatched' });
    expect(rows[0]?.eventName).toBeUndefined();
    expect(rows[0]?.pixel).toBeUndefined();
    expect(rows[1]).toMatchObject({
      eventName: 'Purchase',
      pixel: { at: T0, twclid: 'a', copies: 1, status: 'counted' },
      capi: {
        at: T0 + 500,
        twclid: 'a',
        copies: 2,
        hashedPhone: 'p'.repeat(64),
        status: 'deduplicated',
      },
    });
  });

  it('keeps at most the requested number of rows', () => {
    const groups = Array.from({ length: 20 }, (_, i) =>
      group({ conversionId: `c-${i}`, firstSeenAt: iso(T0 + i) }),
    );
    const rows = conversionRows(groups, new Map(), 5);
    expect(rows.map((r) => r.conversionId)).toEqual(['c-19', 'c-18', 'c-17', 'c-16', 'c-15']);
  });
});

describe('timedEvents and recentDebugIds', () => {
  const records = [
    record({ seq: 1, channel: 'pixel', receivedAt: iso(T0) }),
    record({ seq: 2, fault: 'server_error', httpStatus: 503, dedup: 'not_counted', debugId: 'f' }),
    record({ seq: 3, debugId: 'd-1' }),
    record({ seq: 4, dedup: 'deduplicated', debugId: 'd-1' }),
    record({
      seq: 5,
      validation: { ok: false, errors: [] },
      httpStatus: 400,
      dedup: 'not_counted',
    }),
    record({ seq: 6, debugId: 'd-2' }),
  ];

  it('charts accepted copies by channel and faulted CAPI requests, and skips rejected ones', () => {
    expect(timedEvents(records).map((e) => e.channel)).toEqual([
      'pixel',
      'fault',
      'capi',
      'capi',
      'capi',
    ]);
  });

  it('lists the newest distinct debug_ids of successful CAPI requests', () => {
    expect(recentDebugIds(records)).toEqual(['d-2', 'd-1']);
    expect(recentDebugIds(records, 1)).toEqual(['d-2']);
  });
});

describe('createDashboardSource', () => {
  const stats = {
    requests: { capi: 3, pixel: 2 },
    received: { capi: 3, pixel: 1, total: 4 },
    accepted: { capi: 2, pixel: 1, total: 3 },
    rejected: { capi: 1, pixel: 0, total: 1 },
    pageViews: 1,
    deduplicated: 1,
    counted: 1,
    authFailures: 0,
    rateLimited: 0,
    faults: { server_error: 1, rate_limited: 0, timeout: 1, dropped: 0, slowed: 4 },
  } satisfies EmulatorStats;
  const outbox: OutboxView = {
    pending: 0,
    inFlight: 0,
    delivered: 1,
    dead: 0,
    debugIds: ['kit-last'],
    pausedAccounts: [],
  };

  function fakeEmulator(overrides: Partial<EmulatorClient> = {}): EmulatorClient {
    return {
      url: 'http://x.test',
      probe: async () => true,
      stats: async () => stats,
      conversions: async () => [
        group({ pixel: [record({ channel: 'pixel' })], capi: [record({})] }),
      ],
      events: async () => [record({ seq: 1, debugId: 'x-1', receivedAt: iso(T0 - 1_000) })],
      eventNames: async () => [{ id: 'o87ne', name: 'Purchase' }],
      faults: async () => ({ serverErrorRate: 0.5 }) as FaultConfig,
      setFaults: async () => ({}) as FaultConfig,
      ...overrides,
    };
  }

  it('combines X totals, conversions, the chart and the outbox, with retries from the faults', async () => {
    const source = createDashboardSource({
      emulator: fakeEmulator(),
      outbox: async () => ({ ...outbox }),
      now: () => T0,
    });
    const view = await source.view({ twclid: 'click', clickedAt: T0 - 5_000 });
    expect(view.click).toEqual({ twclid: 'click', clickedAt: T0 - 5_000 });
    expect(view.emulator).toEqual({
      url: 'http://x.test',
      totals: {
        received: 4,
        rejected: 1,
        counted: 1,
        deduplicated: 1,
        capiRequests: 3,
        faulted: 2,
      },
      serverErrorRate: 0.5,
    });
    expect(view.conversions).toHaveLength(1);
    expect(view.conversions[0]?.eventName).toBe('Purchase');
    expect(view.outbox).toMatchObject({ debugIds: ['x-1'], retries: 2 });
    expect(view.buckets).toHaveLength(CHART_SLOTS);
    expect(view.buckets.reduce((n, b) => n + b.capi, 0)).toBe(1);
  });

  it('still shows the kit when the emulator does not answer, and says why', async () => {
    const source = createDashboardSource({
      emulator: fakeEmulator({
        stats: async () => {
          throw new Error('connect ECONNREFUSED');
        },
      }),
      outbox: async () => ({ ...outbox }),
      now: () => T0,
    });
    const view = await source.view(undefined);
    expect(view.emulator).toBeUndefined();
    expect(view.emulatorError).toContain('ECONNREFUSED');
    expect(view.outbox?.debugIds).toEqual(['kit-last']);
  });

  it('without an emulator (real X) shows only the kit', async () => {
    const source = createDashboardSource({ outbox: async () => ({ ...outbox }), now: () => T0 });
    const view = await source.view(undefined);
    expect(view.emulator).toBeUndefined();
    expect(view.emulatorError).toBeUndefined();
    expect(view.outbox?.delivered).toBe(1);
  });
});
