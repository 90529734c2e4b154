/**
 * The `twclid-kit upload` command: its flags, the wiring of the core (client,
 * rate budget, retry policy) for `runUpload`, Ctrl-C, and the summary.
 */
import { buildConversion, createXClient } from '@twclid-kit/server';
import {
  createRateBudget,
  decideRetry,
  isPixelId,
  REQUEST_TIMEOUT_MS_DEFAULT,
  RETRY_DEFAULTS,
  X_BUDGET_DEFAULT,
} from '@twclid-kit/server/core';
import { type Command, Option } from 'commander';
import { HEADER_ALIASES, UPLOAD_FIELDS } from './columns.ts';
import { EXIT_FAILURES, EXIT_OK, UsageError } from './exit-codes.ts';
import { defaultCountry, positiveInt } from './flag-values.ts';
import { CONFIG_HELP, EXIT_HELP } from './help-text.ts';
import type { CliIo } from './io.ts';
import { addConnectionOptions, type ConfigFlags, envWithFlags, loadConfig } from './settings.ts';
import { runUpload, type UploadSummary } from './upload.ts';

type UploadFlags = Record<string, string | boolean | undefined> & ConfigFlags;

function uploadColumnsHelp(): string {
  const lines = UPLOAD_FIELDS.map(
    (field) =>
      `  ${field.padEnd(17)} ${HEADER_ALIASES[field].filter((a) => a !== field).join(', ') || '-'}`,
  );
  return `
Columns (CSV header or JSON Lines keys; case, spaces and hyphens ignored):
  field             also accepted as
${lines.join('\n')}
  email/phone may be raw (normalized and hashed like the live route) or SHA-256 hex.
  conversion_time: ISO 8601 with a zone (2026-11-28T10:00:00Z) or Unix seconds/milliseconds,
    within the last 90 days (X's longest attribution window); older rows are rejected.
  contents: a JSON array of {content_id, content_name, content_type, content_price, num_items}.
  Other columns are ignored.

Rows without conversion_id get one derived from the row and its line number, so
a resumed or repeated upload sends the same ID and X deduplicates it (48 h).

Files beside the input:
  <file>.rejects.csv          rows not delivered: rejected_line, reject_reason, then the
                              original row (your own data, raw emails included; mode 600).
                              Fix the rows and upload that file again.
  <file>.twclid-state.json    resume state, written after every acknowledged batch.

Examples:
  twclid-kit upload orders.csv --event o87ne --dry-run
  twclid-kit upload orders.csv --event o87ne
  twclid-kit upload orders.csv --event o87ne --resume     # after an interruption
  twclid-kit upload leads.jsonl --json > summary.json`;
}

/** Registers `upload` on the program; its action leaves the exit code in `result`. */
export function addUploadCommand(program: Command, io: CliIo, result: { code: number }): void {
  addConnectionOptions(
    program
      .command('upload')
      .summary('bulk offline conversions from CSV or JSON Lines (resumable)')
      .description(
        'Upload conversions from a CSV or JSON Lines file, streamed (any size), each row ' +
          'normalized, hashed and validated like the live route; bad rows go to <file>.rejects.csv. ' +
          'Batches of up to 500 within the rate budget, with retries. Resumable: --resume skips ' +
          'what an earlier run delivered. Progress on stderr.',
      )
      .argument('<file>', 'CSV (header row required) or JSON Lines (.jsonl/.ndjson/.json)')
      .option('--event <id>', 'event ID for rows without an event_id column/value')
      .addOption(
        new Option('--format <format>', 'file format (default: from the extension)').choices([
          'csv',
          'jsonl',
        ]),
      )
      .option('--delimiter <char>', 'CSV delimiter', ',')
      .option('--default-country <CC>', 'country for phone numbers without +<code>, e.g. US')
      .option('--dry-run', 'validate every row and write the reject file; send nothing')
      .option('--resume', 'continue an interrupted upload from its state file')
      .option('--restart', 'ignore an existing state file and start from the first row')
      .option('--batch-size <n>', 'conversions per request, 1-500', '500')
      .option(
        '--x-budget <events>',
        `X's event budget per ad account per rolling 15 minutes (default: "${X_BUDGET_DEFAULT}")`,
      )
      // The flag's old name: it read like a request limit of our own. Still accepted, not listed.
      .addOption(new Option('--rate-limit <events>', 'deprecated: use --x-budget').hideHelp())
      .option(
        '--max-attempts <n>',
        'attempts per batch on 5xx/timeouts before stopping',
        String(RETRY_DEFAULTS.maxAttempts),
      )
      .option('--timeout <ms>', 'request timeout in ms', String(REQUEST_TIMEOUT_MS_DEFAULT))
      .option('--id-namespace <text>', 'mixed into derived conversion IDs (see below)')
      .option('--rejects <path>', 'reject file (default <file>.rejects.csv)')
      .option('--no-progress', 'no progress output on stderr')
      .option('--json', 'print the summary as JSON on stdout'),
  )
    .addHelpText('after', `${uploadColumnsHelp()}\n${CONFIG_HELP}\n${EXIT_HELP}`)
    .action(async (file: string, flags: UploadFlags) => {
      result.code = await runUploadCommand(file, flags, io);
    });
}

/**
 * Where the upload goes. A dry run needs only the pixel (for tw-<pixel>-<event>
 * IDs); the rest needs everything.
 */
function uploadTarget(flags: UploadFlags, io: CliIo, dryRun: boolean) {
  if (dryRun) {
    const env = envWithFlags(io.env, flags);
    const pixelId = env.X_PIXEL_ID?.trim() ?? '';
    if (!isPixelId(pixelId)) {
      throw new UsageError(
        pixelId === '' ? 'X_PIXEL_ID is not set' : `X_PIXEL_ID: "${pixelId}" is not a pixel ID`,
        'set X_PIXEL_ID or pass --pixel-id',
      );
    }
    return { pixelId, account: pixelId, client: undefined };
  }
  const config = loadConfig(io.env, flags);
  const client = createXClient({
    baseUrl: config.baseUrl,
    version: config.version,
    auth: config.auth,
    fetch: io.fetch,
    now: io.now,
    timeoutMs: positiveInt('--timeout', flags.timeout as string) ?? REQUEST_TIMEOUT_MS_DEFAULT,
  });
  return { pixelId: config.pixelId, account: config.adAccountId ?? config.pixelId, client };
}

/**
 * X's event budget from `--x-budget`, or from `--rate-limit`, its deprecated
 * name (with a warning); `--x-budget` wins when both are given.
 */
function budgetFlag(flags: UploadFlags, io: CliIo): number {
  if (flags.xBudget === undefined && flags.rateLimit !== undefined) {
    io.stderr.write('warning: --rate-limit is deprecated; use --x-budget\n');
    return positiveInt('--rate-limit', flags.rateLimit as string) as number;
  }
  return positiveInt(
    '--x-budget',
    (flags.xBudget as string | undefined) ?? String(X_BUDGET_DEFAULT),
  ) as number;
}

async function runUploadCommand(file: string, flags: UploadFlags, io: CliIo): Promise<number> {
  const dryRun = flags.dryRun === true;
  if (flags.resume && flags.restart)
    throw new UsageError('--resume and --restart exclude each other');
  if (dryRun && (flags.resume || flags.restart)) {
    throw new UsageError('--dry-run does not combine with --resume or --restart');
  }
  const country = defaultCountry(flags.defaultCountry as string | undefined);
  const { pixelId, account, client } = uploadTarget(flags, io, dryRun);
  const xBudget = budgetFlag(flags, io);
  const maxAttempts = positiveInt('--max-attempts', flags.maxAttempts as string) as number;
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(EXIT_FAILURES);
    io.stderr.write('\nStopping after the batch in flight (Ctrl-C again to quit now)...\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  let summary: UploadSummary;
  try {
    summary = await runUpload(
      {
        file,
        pixelId,
        account,
        dryRun,
        resume: flags.resume === true,
        restart: flags.restart === true,
        batchSize: positiveInt('--batch-size', flags.batchSize as string) as number,
        progress: { stream: io.stderr, enabled: flags.progress !== false },
        signal: controller.signal,
        ...(flags.event !== undefined ? { event: flags.event as string } : {}),
        ...(flags.format !== undefined ? { format: flags.format as string } : {}),
        ...(flags.delimiter !== undefined ? { delimiter: flags.delimiter as string } : {}),
        ...(flags.idNamespace !== undefined ? { idNamespace: flags.idNamespace as string } : {}),
        ...(flags.rejects !== undefined ? { rejectsPath: flags.rejects as string } : {}),
      },
      {
        build: (input) =>
          buildConversion(input, {
            pixelId,
            now: io.now,
            ...(country ? { defaultCountry: country } : {}),
          }),
        client: client ?? {
          send: () => Promise.reject(new Error('a dry run sends nothing')),
        },
        budget: createRateBudget({ limit: xBudget, now: io.now }),
        decide: (outcome, state) => decideRetry(outcome, state, { maxAttempts }),
        now: io.now,
        sleep: io.sleep,
      },
    );
  } finally {
    process.off('SIGINT', onSignal);
  }
  printUploadSummary(summary, io, flags.json === true);
  return summary.stopped !== undefined || summary.rejected > 0 || summary.failed > 0
    ? EXIT_FAILURES
    : EXIT_OK;
}

export function printUploadSummary(summary: UploadSummary, io: CliIo, json: boolean): void {
  if (summary.ignoredColumns.length > 0) {
    io.stderr.write(`note: ignored columns: ${summary.ignoredColumns.join(', ')}\n`);
  }
  if (json) {
    io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const lines: string[] = [];
  if (summary.alreadyComplete) {
    lines.push(`${summary.file} was already uploaded completely; nothing to do.`);
  } else if (summary.dryRun) {
    lines.push(
      summary.stopped
        ? `Dry run of ${summary.file} stopped: ${summary.stopped}`
        : `Dry run of ${summary.file}: nothing was sent.`,
    );
    lines.push(`  rows       ${summary.rows}`);
    lines.push(`  valid      ${summary.valid}`);
    lines.push(`  rejected   ${summary.rejected}`);
  } else {
    lines.push(
      summary.stopped
        ? `Upload of ${summary.file} stopped: ${summary.stopped}`
        : `Upload of ${summary.file} finished.`,
    );
    lines.push(
      `  rows       ${summary.rows}${summary.skipped > 0 ? ` (and ${summary.skipped} skipped: delivered by an earlier run)` : ''}`,
    );
    lines.push(
      `  sent       ${summary.sent} in ${summary.batches} batch${summary.batches === 1 ? '' : 'es'}`,
    );
    lines.push(`  rejected   ${summary.rejected}`);
    lines.push(`  failed     ${summary.failed}${summary.failed > 0 ? ' (refused by X)' : ''}`);
    if (summary.totals && summary.skipped > 0) {
      lines.push(
        `  all runs   ${summary.totals.sent} sent, ${summary.totals.rejected} rejected, ${summary.totals.failed} failed`,
      );
    }
    if (summary.debugIds.length > 0) {
      const ids = summary.debugIds;
      lines.push(
        `  debug_ids  ${ids.length <= 3 ? ids.join(', ') : `${ids[0]}, ${ids[1]} … ${ids[ids.length - 1]} (${ids.length}; all with --json)`}`,
      );
    }
    if (summary.statePath) lines.push(`  state      ${summary.statePath}`);
  }
  if (summary.rejectsPath) lines.push(`  rejects    ${summary.rejectsPath}`);
  io.stdout.write(`${lines.join('\n')}\n`);
}
