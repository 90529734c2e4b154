import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONVERSION_ID_MAX_LENGTH,
  CONVERSION_TIME_MAX_AGE_MS,
  CONVERSION_TIME_MAX_AHEAD_MS,
  checkConversionId,
  checkConversionTime,
  parseIsoDateTime,
} from './conversion-checks.ts';

const NOW = Date.UTC(2026, 2, 5, 12);
const now = () => NOW;
const DAY = 24 * 60 * 60 * 1000;

describe('checkConversionId', () => {
  it.each([
    ['order-1003', 'order-1003'],
    ['  c0ffee00-0000-4000-8000-000000000001 ', 'c0ffee00-0000-4000-8000-000000000001'],
    ['Bestellung-ä-😀', 'Bestellung-ä-😀'], // a surrogate pair is one character, not a lone half
    ['x'.repeat(CONVERSION_ID_MAX_LENGTH), 'x'.repeat(CONVERSION_ID_MAX_LENGTH)],
  ])('keeps %j as %j', (raw, id) => {
    expect(checkConversionId(raw)).toEqual({ ok: true, value: id });
  });

  it.each(['', '   '])('takes blank %j as absent (an empty optional form field)', (raw) => {
    expect(checkConversionId(raw)).toEqual({ ok: true, value: undefined });
  });

  it.each([
    ['a\u0000b', /control/],
    ['a\u0007b', /control/],
    ['a\tb', /control/],
    ['order-1\n', /control/],
    ['a\u007Fb', /control/],
    ['a\u0085b', /control/],
    ['a\u009Fb', /control/],
    ['a\uD800b', /lone surrogate/],
    ['a\uDC00', /lone surrogate/],
    ['\uDE00\uD83D', /lone surrogate/], // the halves in the wrong order
    ['x'.repeat(CONVERSION_ID_MAX_LENGTH + 1), /at most 128/],
  ])('refuses %j', (raw, reason) => {
    const checked = checkConversionId(raw);
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.reason).toMatch(reason);
  });

  it('keeps every printable ID up to the limit, trimmed, and refuses every control character', () => {
    const printable = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
      .filter((s) => !/\p{Cc}/u.test(s) && s.trim() !== '');
    fc.assert(
      fc.property(printable, (id) => {
        const checked = checkConversionId(id);
        if (id.trim().length <= CONVERSION_ID_MAX_LENGTH) {
          expect(checked).toEqual({ ok: true, value: id.trim() });
        }
      }),
    );
    const control = fc
      .integer({ min: 0, max: 0x9f })
      .filter((c) => c < 0x20 || c >= 0x7f)
      .map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(fc.string(), control, fc.string(), (before, c, after) => {
        expect(checkConversionId(`id${before}${c}${after}`).ok).toBe(false);
      }),
    );
  });

  it('never keeps an ID that would change when written as UTF-8', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (raw) => {
        const checked = checkConversionId(raw);
        if (checked.ok && checked.value !== undefined) {
          const written = new TextDecoder().decode(new TextEncoder().encode(checked.value));
          expect(written).toBe(checked.value);
        }
      }),
    );
  });
});

describe('parseIsoDateTime', () => {
  it.each([
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2000-02-29T23:59:59.999Z', Date.UTC(2000, 1, 29, 23, 59, 59, 999)],
    ['2026-12-31T23:59:59.123456789Z', Date.UTC(2026, 11, 31, 23, 59, 59, 123)],
    ['2026-03-01T01:30+02:00', Date.UTC(2026, 1, 28, 23, 30)],
    ['2026-03-01t00:00:00z', Date.UTC(2026, 2, 1)],
  ])('%s', (text, ms) => {
    expect(parseIsoDateTime(text)).toEqual({ ok: true, value: ms });
  });

  it.each([
    ['2026-02-31T00:00:00.000Z', /no such day/], // Date.parse makes this March 3
    ['2026-02-29T00:00:00Z', /no such day/], // 2026 is no leap year
    ['1900-02-29T00:00:00Z', /no such day/], // nor is 1900
    ['2026-04-31T00:00:00Z', /no such day/],
    ['2026-01-00T00:00:00Z', /no such day/],
    ['2026-13-01T00:00:00Z', /no such month/],
    ['2026-00-01T00:00:00Z', /no such month/],
    ['2026-03-01T24:00:00.000Z', /time of day/], // Date.parse makes this the next midnight
    ['2026-03-01T23:60:00Z', /time of day/],
    ['2026-03-01T23:59:60Z', /time of day/],
    ['2026-03-01T00:00:00+24:00', /offset/],
    ['2026-03-01T00:00:00+01:60', /offset/],
    ['2026-03-01T00:00:00', /time zone/],
    ['2026-03-01 00:00:00Z', /time zone/],
  ])('refuses %s', (text, reason) => {
    const parsed = parseIsoDateTime(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(reason);
  });

  const instant = fc.date({
    min: new Date('0001-01-01T00:00:00.000Z'),
    max: new Date('9999-12-31T23:59:59.999Z'),
    noInvalidDate: true,
  });

  it('reads back every date toISOString() prints', () => {
    fc.assert(
      fc.property(instant, (date) => {
        expect(parseIsoDateTime(date.toISOString())).toEqual({ ok: true, value: date.getTime() });
      }),
    );
  });

  it('reads every valid date written with an offset as the same instant', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }), (date, min) => {
        const local = new Date(date.getTime() + min * 60_000).toISOString().slice(0, 23);
        const sign = min < 0 ? '-' : '+';
        const abs = Math.abs(min);
        const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
        fc.pre(/^\d{4}-/.test(local));
        expect(parseIsoDateTime(local + offset)).toEqual({ ok: true, value: date.getTime() });
      }),
    );
  });

  it('refuses every day past the end of its month (no rolled-over date passes)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 99 }),
        (year, month, day) => {
          const lastDay = new Date(Date.UTC(2000, month, 0)).getUTCDate(); // 2000 is a leap year
          const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
          const daysInMonth = month === 2 && !leap ? 28 : lastDay;
          const text = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T00:00:00Z`;
          const parsed = parseIsoDateTime(text);
          expect(parsed.ok).toBe(day <= daysInMonth);
          if (parsed.ok) {
            // A date that passes is the calendar date written, never another one.
            expect(new Date(parsed.value).toISOString().slice(0, 10)).toBe(text.slice(0, 10));
          }
        },
      ),
    );
  });
});

describe('checkConversionTime (the window, on the kit’s clock)', () => {
  it('is now when absent', () => {
    expect(checkConversionTime(undefined, now)).toEqual({
      ok: true,
      value: new Date(NOW).toISOString(),
    });
  });

  it.each([
    ['90 days old', NOW - CONVERSION_TIME_MAX_AGE_MS],
    ['1 hour ahead (clock skew)', NOW + CONVERSION_TIME_MAX_AHEAD_MS],
  ])('accepts a time %s', (_, time) => {
    expect(checkConversionTime(time, now).ok).toBe(true);
    expect(checkConversionTime(new Date(time), now).ok).toBe(true);
    expect(checkConversionTime(new Date(time).toISOString(), now).ok).toBe(true);
  });

  it.each([
    ['1970-01-01T00:00:00.000Z', /90 days in the past/],
    [NOW - CONVERSION_TIME_MAX_AGE_MS - 1, /90 days in the past/],
    ['9999-12-31T23:59:59.999Z', /future/],
    [NOW + CONVERSION_TIME_MAX_AHEAD_MS + 1, /future/],
    [new Date(Number.NaN), /not a valid date/],
    ['2026-02-31T00:00:00.000Z', /no such day/], // within the window once rolled over to March 3
  ])('refuses %j', (raw, reason) => {
    const checked = checkConversionTime(raw, now);
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.reason).toMatch(reason);
  });

  it('uses the clock it is given, not Date.now', () => {
    const old = Date.UTC(2020, 0, 1);
    expect(checkConversionTime(old, () => old + DAY).ok).toBe(true);
    expect(checkConversionTime(old, now).ok).toBe(false);
  });
});
