import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, lastDays, startOfZonedDay, zonedDay, zoneOffsetMs } from './time-zone.ts';

const ZONES = [
  'UTC',
  'America/Los_Angeles',
  'Europe/Berlin',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'Australia/Lord_Howe',
];

describe('days in the account time zone', () => {
  it('puts 07:30 UTC on the previous day in Los Angeles and the same day in Tokyo', () => {
    const t = Date.UTC(2026, 10, 30, 7, 30);
    expect(zonedDay(t, 'America/Los_Angeles')).toBe('2026-11-29');
    expect(zonedDay(t, 'Asia/Tokyo')).toBe('2026-11-30');
    expect(zonedDay(t, 'UTC')).toBe('2026-11-30');
  });

  it('starts a Los Angeles day at 08:00 UTC in winter and 07:00 UTC in summer', () => {
    expect(new Date(startOfZonedDay('2026-11-30', 'America/Los_Angeles')).toISOString()).toBe(
      '2026-11-30T08:00:00.000Z',
    );
    expect(new Date(startOfZonedDay('2026-07-01', 'America/Los_Angeles')).toISOString()).toBe(
      '2026-07-01T07:00:00.000Z',
    );
    // The day of the spring change is 23 hours long.
    expect(
      startOfZonedDay('2026-03-09', 'America/Los_Angeles') -
        startOfZonedDay('2026-03-08', 'America/Los_Angeles'),
    ).toBe(23 * 3_600_000);
  });

  it('lists the last N days oldest first, today included', () => {
    expect(lastDays(Date.UTC(2026, 0, 2, 3), 3, 'UTC')).toEqual([
      '2025-12-31',
      '2026-01-01',
      '2026-01-02',
    ]);
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
  });

  it('property: every instant lies in the day whose local midnight starts before it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
        fc.constantFrom(...ZONES),
        (t, zone) => {
          const day = zonedDay(t, zone);
          const start = startOfZonedDay(day, zone);
          const next = startOfZonedDay(addDays(day, 1), zone);
          expect(start).toBeLessThanOrEqual(t);
          expect(t).toBeLessThan(next);
          expect(zonedDay(start, zone)).toBe(day);
          expect(Math.abs(zoneOffsetMs(t, zone))).toBeLessThanOrEqual(14 * 3_600_000);
        },
      ),
    );
  });
});
