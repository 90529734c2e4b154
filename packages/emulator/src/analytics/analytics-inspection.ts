/**
 * What the emulator attributed, per account, tag and day in the account's
 * time zone (the figures the stats endpoints report, summed over campaigns
 * and placements), and its stats jobs: `GET /_emulator/attributed` and
 * `GET /_emulator/stats-jobs`, so a test can compare a report with them.
 */
import type { Hono } from 'hono';
import type { EmulatorContext, Env } from '../emulator-context.ts';
import { attributedConversions } from './attribution.ts';
import { localDate } from './time-zone.ts';

export interface AttributedDay {
  accountId: string;
  timezone: string;
  tagId: string;
  tagName: string;
  /** `YYYY-MM-DD` in the account's time zone. */
  date: string;
  post_engagement: number;
  post_view: number;
  total: number;
}

export interface StatsJobView {
  id: string;
  accountId: string;
  status: 'PROCESSING' | 'SUCCESS';
  polls: number;
  createdAt: string;
}

export function attributedDays(ctx: EmulatorContext): AttributedDay[] {
  const days = new Map<string, AttributedDay>();
  for (const a of attributedConversions(ctx)) {
    const timezone = ctx.config.accountsById.get(a.accountId)?.timezone ?? 'UTC';
    const date = localDate(a.at, timezone);
    const key = `${a.accountId}/${a.tagId}/${date}`;
    let day = days.get(key);
    if (!day) {
      const { accountId, tagId, tagName } = a;
      day = {
        accountId,
        timezone,
        tagId,
        tagName,
        date,
        post_engagement: 0,
        post_view: 0,
        total: 0,
      };
      days.set(key, day);
    }
    day[a.kind]++;
    day.total++;
  }
  const order = (d: AttributedDay) => `${d.accountId}/${d.date}/${d.tagId}`;
  return [...days.values()].sort((x, y) => order(x).localeCompare(order(y)));
}

export function statsJobs(ctx: EmulatorContext): StatsJobView[] {
  return ctx.jobs.all().map((j) => ({
    id: j.idStr,
    accountId: j.accountId,
    status: j.status,
    polls: j.polls,
    createdAt: new Date(j.createdAt).toISOString(),
  }));
}

export function mountAnalyticsInspection(app: Hono<Env>, ctx: EmulatorContext): void {
  app.get('/_emulator/attributed', (c) => c.json({ days: attributedDays(ctx) }));
  app.get('/_emulator/stats-jobs', (c) => c.json({ jobs: statsJobs(ctx) }));
}
