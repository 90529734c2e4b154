/**
 * `twclid-kit report --days N`: per event tag and per day in the ad account's
 * time zone, what the kit delivered next to what X attributed, through the
 * shared report of `@twclid-kit/server/analytics` (docs/x-api.md §9). Table
 * by default, `--json` and `--csv` for pipelines; a progress line on stderr
 * while X's stats jobs process.
 */
import type { TwclidKitConfig } from '@twclid-kit/server';
import {
  buildReport,
  type DeliveryReport,
  HOUR_MS,
  type JobProgress,
  MAX_REPORT_DAYS,
} from '@twclid-kit/server/analytics';
import { shortEventId } from '@twclid-kit/server/core';
import { stringify } from 'csv-stringify/sync';
import type { CliIo } from './io.ts';
import { readDelivered } from './report-delivered.ts';
import { analyticsClient, table } from './tags.ts';

export interface ReportInput {
  config: TwclidKitConfig;
  days: number;
  quick: boolean;
  events?: readonly string[];
  db?: string;
  timeoutMs?: number;
  pollMs?: number;
  /** Whether to draw the progress line (not with --json/--csv piped). */
  progress: boolean;
}

function progressLine(io: CliIo): (p: JobProgress) => void {
  let last = '';
  return (p) => {
    const text = `stats jobs: ${p.done}/${p.total} done, ${p.processing} processing${p.waitingForSlots ? ', waiting for a free job slot (TOO_MANY_JOBS)' : ''}`;
    if (text === last) return;
    last = text;
    if (io.stderr.isTTY) io.stderr.write(`\r\x1b[2K${text}${p.done === p.total ? '\n' : ''}`);
    else io.stderr.write(`${text}\n`);
  };
}

export async function runReport(input: ReportInput, io: CliIo): Promise<DeliveryReport> {
  const now = io.now();
  // A day in any time zone starts at most 14 h from UTC midnight: read one day more.
  const since = Math.floor((now - (input.days + 1) * 24 * HOUR_MS) / HOUR_MS) * HOUR_MS;
  const delivered = await readDelivered({ ...(input.db ? { db: input.db } : {}) }, io, {
    pixelId: input.config.pixelId,
    since,
  });
  const report = await buildReport({
    client: analyticsClient(input.config, io, input.timeoutMs),
    delivered: delivered.counts,
    tagIds: (input.events ?? []).map(shortEventId),
    days: input.days,
    quick: input.quick,
    now: io.now,
    sleep: io.sleep,
    fetch: io.fetch,
    ...(input.pollMs !== undefined ? { pollMs: input.pollMs } : {}),
    ...(input.progress && !input.quick ? { onProgress: progressLine(io) } : {}),
  });
  if (delivered.note) report.notes.push(delivered.note);
  return report;
}

const percent = (ratio: number | null) => (ratio === null ? '-' : `${Math.round(ratio * 100)}%`);

export function printReport(
  report: DeliveryReport,
  io: CliIo,
  format: 'table' | 'json' | 'csv',
): void {
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  if (format === 'csv') {
    io.stdout.write(
      stringify(
        report.rows.map((r) => ({
          tag: r.key,
          name: r.name ?? '',
          day: r.day,
          provisional: r.provisional ? 'true' : 'false',
          delivered: r.delivered,
          post_engagement: r.postEngagement,
          post_view: r.postView,
          attributed: r.attributed,
          ratio: r.ratio === null ? '' : r.ratio.toFixed(4),
        })),
        { header: true },
      ),
    );
    return;
  }
  const first = report.days[0];
  const last = report.days[report.days.length - 1];
  io.stdout.write(
    `Delivered by the kit vs attributed by X, account ${report.account.id} (${report.account.timezone}), ${first} to ${last}\n` +
      `${report.mode === 'quick' ? 'by conversion type (sync stats, --quick)' : 'by event tag (stats jobs, CONVERSION_TAGS)'}; ${report.campaigns} active campaigns, ${report.requests} ${report.mode === 'quick' ? 'requests' : 'jobs'}\n\n`,
  );
  const header = [
    report.mode === 'quick' ? 'conversion type' : 'tag',
    'name',
    'day',
    'delivered',
    'post-engagement',
    'post-view',
    'attributed',
    'ratio',
  ];
  const rows = report.rows.map((r) => [
    r.key,
    r.name ?? '-',
    `${r.day}${r.provisional ? '*' : ''}`,
    String(r.delivered),
    String(r.postEngagement),
    String(r.postView),
    String(r.attributed),
    percent(r.ratio),
  ]);
  const totals = new Map<string, { delivered: number; attributed: number }>();
  for (const r of report.rows) {
    const t = totals.get(r.key) ?? { delivered: 0, attributed: 0 };
    t.delivered += r.delivered;
    t.attributed += r.attributed;
    totals.set(r.key, t);
  }
  for (const [key, t] of totals) {
    rows.push([
      key,
      'total',
      '',
      String(t.delivered),
      '',
      '',
      String(t.attributed),
      percent(t.delivered > 0 ? t.attributed / t.delivered : null),
    ]);
  }
  io.stdout.write(
    rows.length > 0
      ? table([header, ...rows], new Set([3, 4, 5, 6, 7]))
      : 'no tags to report: pass --event <id> or deliver a conversion first\n',
  );
  io.stdout.write('\n');
  for (const note of report.notes) io.stdout.write(`${note}\n`);
}

export { MAX_REPORT_DAYS };
