/**
 * The "Did X count it?" panel: the report and tag health of
 * `@twclid-kit/server/analytics` turned into the dashboard's view and HTML.
 */
import type { DeliveryReport, TagHealth } from '@twclid-kit/server/analytics';
import { describe, expect, it } from 'vitest';
import { XCountedPanel } from '../pages/x-counted.tsx';
import { toView } from './x-counted.ts';

const REPORT: DeliveryReport = {
  mode: 'tags',
  account: { id: 'acc', timezone: 'America/Los_Angeles' },
  days: ['2026-11-28', '2026-11-29'],
  startTime: '2026-11-28T08:00:00Z',
  endTime: '2026-11-30T08:00:00Z',
  campaigns: 2,
  requests: 1,
  rows: [
    {
      key: 'o87ne',
      day: '2026-11-28',
      provisional: false,
      delivered: 4,
      postEngagement: 2,
      postView: 1,
      attributed: 3,
      ratio: 0.75,
    },
    {
      key: 'o87nf',
      day: '2026-11-28',
      provisional: false,
      delivered: 2,
      postEngagement: 1,
      postView: 0,
      attributed: 1,
      ratio: 0.5,
    },
    {
      key: 'o87ne',
      day: '2026-11-29',
      provisional: true,
      delivered: 1,
      postEngagement: 0,
      postView: 0,
      attributed: 0,
      ratio: 0,
    },
    {
      key: 'o87nf',
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
const HEALTH: TagHealth[] = [
  {
    id: 'o87ne',
    found: true,
    tag: {
      id: 'o87ne',
      name: 'Purchase',
      status: 'TRACKING',
      lastTrackedAt: '2026-11-29T10:00:00Z',
      deleted: false,
    },
    delivered: 5,
    firstDeliveryAt: 1,
    lastDeliveryAt: 2,
    flags: [],
  },
  {
    id: 'zzzzz',
    found: false,
    delivered: 0,
    firstDeliveryAt: null,
    lastDeliveryAt: null,
    flags: ['X does not know this tag ID'],
  },
];

describe('x-counted view', () => {
  it('sums sent and attributed per day over the tags', () => {
    const view = toView(REPORT, HEALTH, 9);
    expect(view.days).toEqual([
      { day: '2026-11-28', delivered: 6, attributed: 4, provisional: false },
      { day: '2026-11-29', delivered: 1, attributed: 0, provisional: true },
    ]);
    expect(view.tags.map((t) => [t.id, t.status, t.delivered])).toEqual([
      ['o87ne', 'TRACKING', 5],
      ['zzzzz', 'NOT FOUND', 0],
    ]);
    expect(view.timezone).toBe('America/Los_Angeles');
  });

  it('renders the tag status table and one bar pair per day', async () => {
    const html = String(
      await XCountedPanel({ view: toView(REPORT, HEALTH, 9), error: undefined }).toString(),
    );
    expect(html).toContain('data-tag="o87ne" data-status="TRACKING"');
    expect(html).toContain('data-status="NOT FOUND"');
    expect(html).toContain('data-day="2026-11-28" data-sent="6" data-attributed="4"');
    expect(html).toContain('11-29*');
    expect(html).toContain('Fewer attributed than delivered is normal.');
  });

  it('shows why nothing can be read (a pixel token only)', async () => {
    const html = String(
      await XCountedPanel({ view: undefined, error: 'needs OAuth 1.0a' }).toString(),
    );
    expect(html).toContain('data-testid="x-counted-error"');
    expect(html).toContain('needs OAuth 1.0a');
  });
});
