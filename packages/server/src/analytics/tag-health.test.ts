import { describe, expect, it } from 'vitest';
import { tagHealth } from './tag-health.ts';
import { parseWebEventTag } from './x-reads.ts';

const H = 3_600_000;
const NOW = Date.UTC(2026, 10, 30, 12);
const delivered = (eventId: string, firstAgoH: number, lastAgoH: number) => ({
  pixelId: 'o8z6j',
  eventId,
  hour: NOW - firstAgoH * H,
  count: 2,
  firstDeliveredAt: NOW - firstAgoH * H,
  lastDeliveredAt: NOW - lastAgoH * H,
});
const tag = (id: string, status: string, lastTrackedAt: string | null) =>
  parseWebEventTag({
    id,
    name: id,
    type: 'PURCHASE',
    status,
    last_tracked_at: lastTrackedAt,
    deleted: false,
    click_window: 30,
    view_through_window: 1,
  });

describe('tagHealth', () => {
  it('does not flag UNVERIFIED while the first delivery is younger than 24 h', () => {
    const [h] = tagHealth({
      ids: ['a'],
      tags: [tag('a', 'UNVERIFIED', null)],
      delivered: [delivered('a', 23, 1)],
      now: NOW,
    });
    expect(h?.flags).toEqual([]);
    expect(h?.delivered).toBe(2);
    expect(h?.firstDeliveryAt).toBe(NOW - 23 * H);
  });

  it('flags UNVERIFIED and a never-tracked tag once the first delivery is over 24 h old', () => {
    const [h] = tagHealth({
      ids: ['a'],
      tags: [tag('a', 'UNVERIFIED', null)],
      delivered: [delivered('a', 25, 1)],
      now: NOW,
    });
    expect(h?.flags).toHaveLength(2);
    expect(h?.flags[0]).toContain('UNVERIFIED');
  });

  it("flags last_tracked_at more than 24 h older than the kit's last delivery", () => {
    const old = new Date(NOW - 40 * H).toISOString();
    const fresh = new Date(NOW - 2 * H).toISOString();
    const [stale, ok] = tagHealth({
      ids: ['a', 'b'],
      tags: [tag('a', 'TRACKING', old), tag('b', 'TRACKING', fresh)],
      delivered: [delivered('a', 50, 1), delivered('b', 50, 1)],
      now: NOW,
    });
    expect(stale?.flags).toEqual([
      "last_tracked_at is more than 24 h older than the kit's last delivery",
    ]);
    expect(ok?.flags).toEqual([]);
    expect(ok?.tag?.clickWindow).toBe(30);
  });

  it('reports unknown and deleted tags, and shows an unknown status as it comes', () => {
    const gone = parseWebEventTag({ id: 'g', status: 'PAUSED_BY_X', deleted: true });
    const [unknown, deleted] = tagHealth({
      ids: ['zz', 'g'],
      tags: [gone],
      delivered: [],
      now: NOW,
    });
    expect(unknown?.found).toBe(false);
    expect(unknown?.flags[0]).toContain('does not know');
    expect(deleted?.tag?.status).toBe('PAUSED_BY_X');
    expect(deleted?.flags[0]).toContain('deleted');
  });
});
