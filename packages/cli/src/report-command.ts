/**
 * Registers `tags` and `report` (docs/x-api.md §9). Both read X with OAuth
 * 1.0a and the outbox's delivered counts; an access problem exits 1 with what
 * to fix (report-access.ts).
 */
import { MAX_QUICK_DAYS, MAX_REPORT_DAYS } from '@twclid-kit/server/analytics';
import { REQUEST_TIMEOUT_MS_DEFAULT } from '@twclid-kit/server/core';
import type { Command } from 'commander';
import { EXIT_FAILURES, EXIT_OK, UsageError } from './exit-codes.ts';
import { positiveInt } from './flag-values.ts';
import { CONFIG_HELP, EXIT_HELP } from './help-text.ts';
import type { CliIo } from './io.ts';
import type { ProgramResult } from './program.ts';
import { printReport, runReport } from './report.ts';
import { commandFailure } from './report-access.ts';
import { addConnectionOptions, type ConfigFlags, loadConfig } from './settings.ts';
import { printTags, runTags } from './tags.ts';

type Flags = ConfigFlags & {
  event?: string[];
  timeout?: string;
  json?: boolean;
  csv?: boolean;
  days?: string;
  quick?: boolean;
  pollInterval?: string;
};

const OUTBOX_HELP =
  'Delivered counts come from the outbox (TWCLID_KIT_DB or --db): per tag and hour, kept after ' +
  'delivered rows are purged.';

/** Registers `tags`. */
export function addTagsCommand(program: Command, io: CliIo, result: ProgramResult): void {
  addConnectionOptions(
    program
      .command('tags')
      .summary("how X sees each event's web event tag (status, last tracked, windows)")
      .description(
        "For every --event and every event the outbox delivered: the web event tag's name, type, " +
          'status as X returns it (TRACKING, UNVERIFIED, …), last_tracked_at, attribution windows, ' +
          "deleted or not found, next to the kit's first and last delivery. A tag still UNVERIFIED, " +
          "or tracked long before the kit's last delivery, is flagged once the first delivery is " +
          `over 24 h old. Needs OAuth 1.0a credentials and X_AD_ACCOUNT_ID. ${OUTBOX_HELP}`,
      )
      .option('--event <id...>', 'event (web event tag) IDs to check, e.g. o87ne')
      .option('--db <file>', 'outbox database (env TWCLID_KIT_DB)')
      .option('--timeout <ms>', 'timeout per request in ms', String(REQUEST_TIMEOUT_MS_DEFAULT))
      .option('--json', 'machine-readable output'),
  )
    .addHelpText(
      'after',
      `\nExample:\n  twclid-kit tags --event o87ne o87nf\n${CONFIG_HELP}\n${EXIT_HELP}`,
    )
    .action(async (flags: Flags) => {
      const config = loadConfig(io.env, flags);
      const timeoutMs = positiveInt('--timeout', flags.timeout) ?? REQUEST_TIMEOUT_MS_DEFAULT;
      try {
        const tags = await runTags(
          {
            config,
            ...(flags.event ? { events: flags.event } : {}),
            ...(flags.db ? { db: flags.db } : {}),
            timeoutMs,
          },
          io,
        );
        printTags(tags, io, flags.json === true);
        result.code = tags.tags.some((t) => t.flags.length > 0) ? EXIT_FAILURES : EXIT_OK;
      } catch (error) {
        throw commandFailure(error);
      }
    });
}

/** Registers `report`. */
export function addReportCommand(program: Command, io: CliIo, result: ProgramResult): void {
  addConnectionOptions(
    program
      .command('report')
      .summary('delivered vs attributed by X, per event tag and day')
      .description(
        "Per event tag and per day in the ad account's time zone: conversions the kit delivered " +
          '(X acknowledged them; by conversion time) next to what X attributed to ads ' +
          '(post-engagement, post-view, total, ratio), from one async stats job per placement ' +
          'and 20 active campaigns, segmented by CONVERSION_TAGS. --quick uses the synchronous ' +
          'endpoint instead (at most 7 days, by conversion type). Days younger than 24 h are ' +
          'provisional (*). Fewer attributed than delivered is normal: X counts only the ' +
          'conversions it matched and attributed, and merges Pixel and CAPI copies. ' +
          OUTBOX_HELP,
      )
      .option(
        '--days <n>',
        `days back, today included (1-${MAX_REPORT_DAYS}; --quick 1-${MAX_QUICK_DAYS})`,
        '7',
      )
      .option('--quick', 'synchronous stats by conversion type (no jobs)')
      .option('--event <id...>', 'also report these event (web event tag) IDs')
      .option('--db <file>', 'outbox database (env TWCLID_KIT_DB)')
      .option('--poll-interval <ms>', 'how often to poll stats jobs', '5000')
      .option('--timeout <ms>', 'timeout per request in ms', String(REQUEST_TIMEOUT_MS_DEFAULT))
      .option('--json', 'machine-readable output')
      .option('--csv', 'CSV output, one row per tag and day'),
  )
    .addHelpText(
      'after',
      `\nExamples:\n  twclid-kit report --days 7\n  twclid-kit report --days 30 --csv > report.csv\n  twclid-kit report --quick --days 3\n${CONFIG_HELP}\n${EXIT_HELP}`,
    )
    .action(async (flags: Flags) => {
      const config = loadConfig(io.env, flags);
      const quick = flags.quick === true;
      const days = positiveInt('--days', flags.days) ?? 7;
      const max = quick ? MAX_QUICK_DAYS : MAX_REPORT_DAYS;
      if (days > max) {
        throw new UsageError(
          `--days must be at most ${max}${quick ? ' with --quick' : ''}`,
          quick ? 'drop --quick for up to 45 days' : 'X keeps segmented stats for 45 days',
        );
      }
      if (flags.json && flags.csv) throw new UsageError('--json and --csv exclude each other');
      const format = flags.json ? 'json' : flags.csv ? 'csv' : 'table';
      try {
        const report = await runReport(
          {
            config,
            days,
            quick,
            ...(flags.event ? { events: flags.event } : {}),
            ...(flags.db ? { db: flags.db } : {}),
            timeoutMs: positiveInt('--timeout', flags.timeout) ?? REQUEST_TIMEOUT_MS_DEFAULT,
            pollMs: positiveInt('--poll-interval', flags.pollInterval) ?? 5000,
            progress: true,
          },
          io,
        );
        printReport(report, io, format);
        result.code = EXIT_OK;
      } catch (error) {
        throw commandFailure(error);
      }
    });
}
