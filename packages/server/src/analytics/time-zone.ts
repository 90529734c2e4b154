/**
 * Days in the ad account's time zone. X aligns `granularity=DAY` buckets to
 * midnight in the account's time zone (`GET /:version/accounts/:id` →
 * `timezone`, docs/x-api.md §9), so the report groups the kit's deliveries the
 * same way. Built on `Intl` only (no Node API: the module runs on edge runtimes).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** `true` when `Intl` knows the IANA zone name. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

function wallClock(ms: number, timeZone: string): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return parts;
}

/** The zone's offset from UTC at instant `ms`, in ms (e.g. -8 h for Los Angeles in winter). */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const p = wallClock(ms, timeZone);
  const asUtc = Date.UTC(
    p.year as number,
    (p.month as number) - 1,
    p.day as number,
    p.hour as number,
    p.minute as number,
    p.second as number,
  );
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The calendar day (`YYYY-MM-DD`) of instant `ms` in `timeZone`. */
export function zonedDay(ms: number, timeZone: string): string {
  const p = wallClock(ms, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** The instant local midnight starts `day` (`YYYY-MM-DD`) in `timeZone`. */
export function startOfZonedDay(day: string, timeZone: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  let start = guess - zoneOffsetMs(guess, timeZone);
  // Near a DST change the offset at the guess differs from the offset at the answer.
  start = guess - zoneOffsetMs(start, timeZone);
  return start;
}

/** `day` plus `n` calendar days (`n` may be negative). */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** The last `count` days in `timeZone` up to and including the day of `now`, oldest first. */
export function lastDays(now: number, count: number, timeZone: string): string[] {
  const today = zonedDay(now, timeZone);
  return Array.from({ length: count }, (_, i) => addDays(today, i - count + 1));
}
