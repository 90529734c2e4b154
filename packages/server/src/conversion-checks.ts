/**
 * The kit's own rules for a conversion's `conversion_id` and
 * `conversion_time`, where X is silent (docs/x-api.md §1: "no string lengths,
 * no oldest accepted `conversion_time`"). Written down in docs/product.md
 * ("Wire contract") and the server README ("Conversions").
 */

/** Longest `conversion_id` (characters, after trimming): the wire contract's limit. */
export const CONVERSION_ID_MAX_LENGTH = 128;

/**
 * Oldest `conversion_time` accepted, behind the kit's clock: 90 days, X's
 * longest attribution window (docs/x-api.md §6). An older conversion cannot be
 * attributed to an ad any more.
 */
export const CONVERSION_TIME_MAX_AGE_MS = 90 * 24 * 60 * 60 * 1000;

/** Furthest `conversion_time` accepted ahead of the kit's clock: 1 hour of clock skew. */
export const CONVERSION_TIME_MAX_AHEAD_MS = 60 * 60 * 1000;

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

// C0 controls (NUL included), DEL and C1 controls are all Unicode's `Cc`; a
// lone surrogate (`Cs` under the `u` flag: a paired one is one code point) is
// replaced by U+FFFD when the string is written as UTF-8, so two different IDs
// would become one.
const CONTROL = /\p{Cc}/u;
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Checks a `conversion_id` as given (before trimming or storing re-encodes
 * it). Blank is absent, as for every optional field of app code and forms
 * (the JSON event refuses a blank one before this: wire-event.ts).
 */
export function checkConversionId(raw: string): Checked<string | undefined> {
  if (LONE_SURROGATE.test(raw)) {
    return { ok: false, reason: 'must be valid Unicode (it holds a lone surrogate)' };
  }
  if (CONTROL.test(raw)) {
    return { ok: false, reason: 'must not hold control characters (NUL, tab, newline, DEL…)' };
  }
  const id = raw.trim();
  if (id === '') return { ok: true, value: undefined };
  if (id.length > CONVERSION_ID_MAX_LENGTH) {
    return { ok: false, reason: `must be at most ${CONVERSION_ID_MAX_LENGTH} characters` };
  }
  return { ok: true, value: id };
}

// ISO 8601 date-time with an explicit offset; a local time without one is
// ambiguous (whose midnight?), so it is refused rather than guessed.
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):(\d{2}))$/i;

const FORMAT_REASON =
  'must be an ISO 8601 date-time with a time zone, e.g. 2024-05-01T12:00:00.000Z';

/**
 * Epoch ms of an ISO 8601 date-time, or why not. Every part is checked
 * against the calendar, because `Date.parse` rolls an impossible date over
 * (`2026-02-31` becomes March 3) and takes hour 24 as the next midnight.
 */
export function parseIsoDateTime(text: string): Checked<number> {
  const m = ISO_DATE_TIME.exec(text);
  if (!m) return { ok: false, reason: FORMAT_REASON };
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = Number(m[6] ?? 0);
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  if (month < 1 || month > 12) return { ok: false, reason: 'has no such month' };
  const lastDay = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number);
  if (day < 1 || day > lastDay) return { ok: false, reason: 'has no such day in that month' };
  if (hour > 23 || minute > 59 || second > 59) {
    return {
      ok: false,
      reason: 'has no such time of day (hours 00–23, minutes and seconds 00–59)',
    };
  }
  let offset = 0;
  if (m[8]) {
    const offsetHours = Number(m[9]);
    const offsetMinutes = Number(m[10]);
    if (offsetHours > 23 || offsetMinutes > 59) return { ok: false, reason: 'has no such offset' };
    offset = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  }
  const utc = new Date(0);
  // setUTCFullYear keeps years 0–99 as written (Date.UTC would read them as 19xx).
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, ms);
  return { ok: true, value: utc.getTime() - offset };
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * A conversion's time as X wants it (exactly what `toISOString()` prints
 * [WC], docs/x-api.md §1), checked against the kit's clock `now`: at most
 * {@link CONVERSION_TIME_MAX_AGE_MS} old and {@link CONVERSION_TIME_MAX_AHEAD_MS}
 * ahead. Absent means now.
 */
export function checkConversionTime(
  raw: Date | number | string | null | undefined,
  now: () => number,
): Checked<string> {
  const at = now();
  let time: number;
  if (raw === undefined || raw === null) time = at;
  else if (raw instanceof Date) time = raw.getTime();
  else if (typeof raw === 'number') time = raw;
  else {
    const parsed = parseIsoDateTime(raw.trim());
    if (!parsed.ok) return parsed;
    time = parsed.value;
  }
  if (!Number.isFinite(time) || Number.isNaN(new Date(time).getTime())) {
    return { ok: false, reason: 'is not a valid date' };
  }
  if (time < at - CONVERSION_TIME_MAX_AGE_MS) {
    return {
      ok: false,
      reason: "is more than 90 days in the past (X's longest attribution window)",
    };
  }
  if (time > at + CONVERSION_TIME_MAX_AHEAD_MS) {
    return { ok: false, reason: 'is more than 1 hour in the future' };
  }
  return { ok: true, value: new Date(time).toISOString() };
}
