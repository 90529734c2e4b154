import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketEvents } from './timeline.ts';

describe('bucketEvents', () => {
  it('puts each event in the slot that holds its time', () => {
    const now = 60_000;
    const buckets = bucketEvents(
      [
        { at: 59_999, channel: 'pixel' },
        { at: 60_000, channel: 'capi' },
        { at: 50_500, channel: 'capi' },
        { at: 10_000, channel: 'pixel' }, // before the window
      ],
      now,
      6,
      10_000,
    );
    expect(buckets.map((b) => b.start)).toEqual([10_000, 20_000, 30_000, 40_000, 50_000, 60_000]);
    expect(buckets.at(-2)).toEqual({ start: 50_000, pixel: 1, capi: 1, fault: 0 });
    expect(buckets.at(-1)).toEqual({ start: 60_000, pixel: 0, capi: 1, fault: 0 });
    expect(buckets[0]).toEqual({ start: 10_000, pixel: 1, capi: 0, fault: 0 });
  });

  it('counts every event inside the window exactly once and nothing outside it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000_000, max: 2_000_000 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.array(
          fc.record({
            offset: fc.integer({ min: -200_000, max: 10_000 }),
            channel: fc.constantFrom('pixel' as const, 'capi' as const, 'fault' as const),
          }),
        ),
        (now, count, width, raw) => {
          const events = raw.map((e) => ({ at: now + e.offset, channel: e.channel }));
          const buckets = bucketEvents(events, now, count, width);
          const windowStart = buckets[0]?.start ?? now;
          const inside = events.filter((e) => e.at >= windowStart && e.at <= now).length;
          const counted = buckets.reduce((sum, b) => sum + b.pixel + b.capi + b.fault, 0);
          expect(buckets).toHaveLength(count);
          expect(counted).toBe(inside);
        },
      ),
    );
  });
});
