/**
 * Calendar days in an ad account's time zone: X's DAY granularity starts each
 * day at midnight in the account's `timezone` (docs/x-api.md §9). Built on
 * Intl, so daylight-saving changes come from the runtime's tz database.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

export interface LocalParts {
  /** `YYYY-MM-DD` in the zone. */
  date: string;
  hour: number;
  minute: number;
  second: number;
}

export function localParts(ms: number, tz: string): LocalParts {
  const p: Record<string, string> = {};
  for (const part of formatter(tz).formatToParts(new Date(ms))) p[part.type] = part.value;
  return {
    date: `${p.year}-${p.month}-${p.day}`,
    hour: Number(p.hour),
    minute: Number(p.minute),
    second: Number(p.second),
  };
}

/** The calendar day (`YYYY-MM-DD`) an instant falls on in the zone. */
export const localDate = (ms: number, tz: string): string => localParts(ms, tz).date;

/** Whether the instant is midnight (00:00:00) in the zone. */
export function isLocalMidnight(ms: number, tz: string): boolean {
  const p = localParts(ms, tz);
  return p.hour === 0 && p.minute === 0 && p.second === 0;
}

/** The distinct local days of [start, end), in order (walks in 15-minute steps: every offset is a multiple). */
export function localDays(start: number, end: number, tz: string): string[] {
  const days: string[] = [];
  for (let t = start; t < end; t += 15 * 60_000) {
    const d = localDate(t, tz);
    if (days.at(-1) !== d) days.push(d);
  }
  return days;
}
