/**
 * The `twclid-kit` command tree (commander). Each action returns its exit
 * code through `result`; `main.ts` turns thrown errors into codes.
 */
import { readFileSync } from 'node:fs';
import {
  buildConversion,
  type CountryCode,
  createRateBudget,
  createXClient,
  decideRetry,
  isPhoneCountry,
  isPixelId,
  RATE_LIMIT_DEFAULT,
  REQUEST_TIMEOUT_MS_DEFAULT,
  RETRY_DEFAULTS,
} from '@twclid-kit/server';
import { Command, Option } from 'commander';
import { HEADER_ALIASES, UPLOAD_FIELDS } from './columns.ts';
import { printChecks, runDoctor } from './doctor.ts';
import { runEmulator } from './emulator-command.ts';
import { EXIT_FAILURES, EXIT_OK, UsageError } from './exit-codes.ts';
import type { CliIo } from './io.ts';
import { printLogin, runOAuthLogin } from './oauth-login.ts';
import { outboxDead, outboxPurge, outboxRetry, outboxStatus } from './outbox-command.ts';
import { runSend } from './send.ts';
import { addConnectionOptions, type ConfigFlags, envWithFlags, loadConfig } from './settings.ts';
import { runUpload, type UploadSummary } from './upload.ts';

/** Where an action leaves its exit code. */
export interface ProgramResult {
  code: number;
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    return String(pkg.version);
  } catch {
    return '0.0.0';
  }
}

function defaultCountry(value: string | undefined): CountryCode | undefined {
  if (value === undefined) return undefined;
  const code = value.trim().toUpperCase();
  if (!isPhoneCountry(code)) {
    throw new UsageError(
      `--default-country must be an ISO 3166-1 alpha-2 code such as US or DE, not "${value}"`,
    );
  }
  return code;
}

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer`);
  return n;
}

const CONFIG_HELP = `
Configuration (environment; flags override):
  X_ADS_API_BASE_URL     Ads API base URL (default https://ads-api.x.com)
  X_ADS_API_VERSION      API version (default 12)
  X_PIXEL_ID             pixel ID, e.g. o8z6j
  X_AD_ACCOUNT_ID        ad account ID (rate budget and access check)
  X_CONSUMER_KEY, X_CONSUMER_SECRET, X_ACCESS_TOKEN, X_ACCESS_TOKEN_SECRET   OAuth 1.0a
  X_PIXEL_TOKEN          X-Pixel-Token instead of OAuth
Secrets are read from the environment only, never from flags.`;

const EXIT_HELP = `
Exit codes: 0 ok, 1 failures reported, 2 usage or configuration error.`;

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
  conversion_time: ISO 8601 with a zone (2026-11-28T10:00:00Z) or Unix seconds/milliseconds.
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

export function createProgram(io: CliIo, result: ProgramResult): Command {
  const program = new Command();
  program
    .name('twclid-kit')
    .description(
      'Send X (Twitter) conversions that count exactly once: test sends, bulk offline uploads, ' +
        'health checks, the 3-legged OAuth flow, outbox repair and a local X emulator.',
    )
    .version(version())
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride()
    .addHelpText('after', `${CONFIG_HELP}\n${EXIT_HELP}`);

  // ------------------------------------------------------------------ send
  addConnectionOptions(
    program
      .command('send')
      .summary('send one conversion (or print it with --dry-run)')
      .description(
        'Send one conversion to the X Conversion API. Raw --email and --phone are normalized ' +
          "and hashed exactly as the live route does; only hashes are sent. Prints X's debug_id, " +
          "or X's errors. Without --conversion-id a random one is minted and printed.",
      )
      .requiredOption('--event <id>', 'event ID: o87ne or tw-<pixel>-o87ne')
      .option(
        '--conversion-id <id>',
        'deduplication key shared with the Pixel event (default: a new UUID)',
      )
      .option('--twclid <id>', 'click ID from the landing URL')
      .option('--email <address>', 'email, raw (hashed here) or SHA-256 hex')
      .option('--phone <number>', 'phone, raw (E.164-normalized and hashed here) or SHA-256 hex')
      .option('--ip <address>', 'IPv4 address (only together with twclid, email or phone)')
      .option('--ua <user-agent>', 'user agent (only together with twclid, email or phone)')
      .option('--value <amount>', 'conversion value, e.g. 20.00')
      .option('--currency <code>', "ISO 4217 currency (X's default: USD)")
      .option('--number-items <n>', 'number of items')
      .option('--description <text>', 'free text')
      .option('--url <url>', 'event_source_url: the page of the conversion')
      .option('--time <time>', 'conversion time: ISO 8601 or Unix seconds/ms (default: now)')
      .option('--default-country <CC>', 'country for phone numbers without +<code>, e.g. US')
      .option('--timeout <ms>', 'request timeout in ms', String(REQUEST_TIMEOUT_MS_DEFAULT))
      .option('--dry-run', 'validate and print the exact request (secrets masked) without sending')
      .option('--json', 'machine-readable output'),
  )
    .addHelpText(
      'after',
      `
Examples:
  twclid-kit send --event o87ne --twclid 23opevjt88psuo13lu8d020qkn --value 20.00 --currency USD
  twclid-kit send --event o87nf --email ann@example.com --phone "+1 415 555 2671" --dry-run
${CONFIG_HELP}\n${EXIT_HELP}`,
    )
    .action(async (flags: Record<string, string | boolean | undefined> & ConfigFlags) => {
      const config = loadConfig(io.env, flags);
      const country = defaultCountry(flags.defaultCountry as string | undefined);
      const timeoutMs = positiveInt('--timeout', flags.timeout as string | undefined);
      const outcome = await runSend(
        flags as unknown as Parameters<typeof runSend>[0],
        config,
        {
          ...(country ? { defaultCountry: country } : {}),
          ...(timeoutMs ? { timeoutMs } : {}),
        },
        io,
      );
      result.code = outcome.exitCode;
    });

  // ------------------------------------------------------------------ upload
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
        '--rate-limit <events>',
        'events per ad account per rolling 15 minutes',
        String(RATE_LIMIT_DEFAULT),
      )
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
    .action(
      async (file: string, flags: Record<string, string | boolean | undefined> & ConfigFlags) => {
        const dryRun = flags.dryRun === true;
        if (flags.resume && flags.restart)
          throw new UsageError('--resume and --restart exclude each other');
        if (dryRun && (flags.resume || flags.restart)) {
          throw new UsageError('--dry-run does not combine with --resume or --restart');
        }
        const country = defaultCountry(flags.defaultCountry as string | undefined);
        // A dry run needs only the pixel (for tw-<pixel>-<event> IDs); the rest needs everything.
        let pixelId: string;
        let account: string;
        let client: ReturnType<typeof createXClient> | undefined;
        if (dryRun) {
          const env = envWithFlags(io.env, flags);
          pixelId = env.X_PIXEL_ID?.trim() ?? '';
          if (!isPixelId(pixelId)) {
            throw new UsageError(
              pixelId === ''
                ? 'X_PIXEL_ID is not set'
                : `X_PIXEL_ID: "${pixelId}" is not a pixel ID`,
              'set X_PIXEL_ID or pass --pixel-id',
            );
          }
          account = pixelId;
        } else {
          const config = loadConfig(io.env, flags);
          pixelId = config.pixelId;
          account = config.adAccountId ?? config.pixelId;
          client = createXClient({
            baseUrl: config.baseUrl,
            version: config.version,
            auth: config.auth,
            fetch: io.fetch,
            now: io.now,
            timeoutMs:
              positiveInt('--timeout', flags.timeout as string) ?? REQUEST_TIMEOUT_MS_DEFAULT,
          });
        }
        const rateLimit = positiveInt('--rate-limit', flags.rateLimit as string) as number;
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
              ...(flags.idNamespace !== undefined
                ? { idNamespace: flags.idNamespace as string }
                : {}),
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
              budget: createRateBudget({ limit: rateLimit, now: io.now }),
              decide: (outcome, state) => decideRetry(outcome, state, { maxAttempts }),
              now: io.now,
              sleep: io.sleep,
            },
          );
        } finally {
          process.off('SIGINT', onSignal);
        }
        printUploadSummary(summary, io, flags.json === true);
        result.code =
          summary.stopped !== undefined || summary.rejected > 0 || summary.failed > 0
            ? EXIT_FAILURES
            : EXIT_OK;
      },
    );

  // ------------------------------------------------------------------ doctor
  addConnectionOptions(
    program
      .command('doctor')
      .summary('check configuration, clock, reachability, credentials, access level and pixel')
      .description(
        'Check that everything needed to send conversions is in place, one line per check (✓ ok, ' +
          '! warning, ✗ failed, - skipped) with a fix hint. Exit 1 if any check failed.\n\n' +
          'Checks: configuration (the variables below); reachability of X_ADS_API_BASE_URL; ' +
          "clock skew against X's Date header (OAuth timestamps must be current); credentials " +
          '(a signed GET /<version>/accounts/<account>/authenticated_user_access); access level ' +
          '(AD_MANAGER or ACCOUNT_ADMIN needed); pixel (an empty batch to the conversions ' +
          'endpoint: X authenticates it and looks the pixel up, then refuses the empty body with ' +
          'a 400, so nothing is ever counted; X has no validation-only mode).',
      )
      .option('--timeout <ms>', 'timeout per request in ms', String(REQUEST_TIMEOUT_MS_DEFAULT))
      .option('--json', 'machine-readable output'),
  )
    .addHelpText('after', `\nExample:\n  twclid-kit doctor\n${CONFIG_HELP}\n${EXIT_HELP}`)
    .action(async (flags: ConfigFlags & { timeout?: string; json?: boolean }) => {
      const timeoutMs = positiveInt('--timeout', flags.timeout) ?? REQUEST_TIMEOUT_MS_DEFAULT;
      const checks = await runDoctor({ ...flags, timeoutMs }, io);
      printChecks(checks, io, flags.json === true);
      result.code = checks.some((c) => c.status === 'fail') ? EXIT_FAILURES : EXIT_OK;
    });

  // ------------------------------------------------------------------ oauth
  const oauth = program
    .command('oauth')
    .summary('OAuth 1.0a helpers')
    .description('OAuth 1.0a helpers.');
  oauth
    .command('login')
    .summary('get an access token for another user (3-legged PIN flow)')
    .description(
      "Get an access token and secret for a user other than the app's owner, with the " +
        '3-legged PIN flow: request token (oauth_callback=oob) → the user opens the printed ' +
        'authorize URL and approves → enter the PIN → access token. Prints the env lines to set. ' +
        'Needs X_CONSUMER_KEY and X_CONSUMER_SECRET. The secret is printed once, on stdout only.',
    )
    .option(
      '--oauth-base-url <url>',
      'where the OAuth endpoints live (env X_OAUTH_BASE_URL, default https://api.x.com)',
    )
    .option('--pin <pin>', 'the PIN, for scripts (default: prompt on stdin)')
    .option('--timeout <ms>', 'timeout per request in ms', String(REQUEST_TIMEOUT_MS_DEFAULT))
    .option('--json', 'machine-readable output (includes the secret)')
    .addHelpText(
      'after',
      `
Examples:
  twclid-kit oauth login                 # prints a URL, then asks for the PIN
  twclid-kit oauth login >> .env         # the env lines go to stdout, the prompt to stderr
${EXIT_HELP}`,
    )
    .action(
      async (flags: { oauthBaseUrl?: string; pin?: string; timeout?: string; json?: boolean }) => {
        const timeoutMs = positiveInt('--timeout', flags.timeout) ?? REQUEST_TIMEOUT_MS_DEFAULT;
        const login = await runOAuthLogin({ ...flags, timeoutMs }, io);
        printLogin(login, io, flags.json === true);
        result.code = EXIT_OK;
      },
    );

  // ------------------------------------------------------------------ outbox
  const outbox = program
    .command('outbox')
    .summary('inspect and repair the SQLite outbox (TWCLID_KIT_DB)')
    .description(
      'Inspect and repair the outbox the route writes to (SQLite file from TWCLID_KIT_DB, ' +
        'default ./.twclid-kit/outbox.db). Safe while the app runs.',
    );
  const dbOption = () => new Option('--db <file>', 'outbox database (env TWCLID_KIT_DB)');
  outbox
    .command('status')
    .description('queue depth and oldest undelivered age per account, delivered and dead counts')
    .addOption(dbOption())
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  twclid-kit outbox status --json')
    .action(async (flags) => {
      result.code = await outboxStatus(flags, io);
    });
  outbox
    .command('dead')
    .description('list dead letters with their reasons (oldest first)')
    .addOption(dbOption())
    .option('--account <id>', 'only this ad account')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  twclid-kit outbox dead --limit 20')
    .action(async (flags) => {
      result.code = await outboxDead(flags, io);
    });
  outbox
    .command('retry')
    .description('requeue dead letters (all, or --id ...) after fixing their cause')
    .addOption(dbOption())
    .option('--id <id...>', 'only these events (numbers from `outbox dead`)')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nExamples:\n  twclid-kit outbox retry\n  twclid-kit outbox retry --id 17 18',
    )
    .action(async (flags) => {
      result.code = await outboxRetry(flags, io);
    });
  outbox
    .command('purge')
    .description(
      'delete delivered events older than --older-than (default 7d, at least 48h: younger ' +
        "rows still deduplicate repeats within X's 48-hour window)",
    )
    .addOption(dbOption())
    .option('--older-than <duration>', 'e.g. 7d, 72h', '7d')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  twclid-kit outbox purge --older-than 30d')
    .action(async (flags) => {
      result.code = await outboxPurge(flags, io);
    });

  // ------------------------------------------------------------------ emulator
  program
    .command('emulator')
    .summary('start the local X Ads API emulator')
    .description(
      'Start the local X Ads API and Pixel emulator (@twclid-kit/emulator) and print the ' +
        'environment to point the app and the other commands at it. Fault injection is ' +
        'deterministic under --seed. Runs until Ctrl-C.',
    )
    .option('--port <port>', 'port (0 = any free port)', '4100')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--seed <n>', 'fault sequence seed')
    .option('--error-rate <share>', 'share of requests answered 500/503 (0-1)')
    .option('--rate-limit-rate <share>', 'share answered 429 with Retry-After (0-1)')
    .option('--retry-after <seconds>', 'Retry-After of injected 429s')
    .option('--timeout-rate <share>', 'share never answered (0-1)')
    .option('--drop-rate <share>', 'share whose connection is dropped (0-1)')
    .option('--drop-after-processing', 'dropped requests are processed first (X counted them)')
    .option('--slow-rate <share>', 'share delayed by --slow-ms (0-1)')
    .option('--slow-ms <ms>', 'delay of slow requests')
    .option('--latency-ms <ms>', 'delay added to every request')
    .option('--events-per-window <n>', 'events per account per 15 minutes (default 60000)')
    .addHelpText(
      'after',
      `
Examples:
  twclid-kit emulator --port 4100
  twclid-kit emulator --error-rate 0.2 --timeout-rate 0.05 --rate-limit-rate 0.05 --seed 7
${EXIT_HELP}`,
    )
    .action(async (flags) => {
      await runEmulator(flags, io); // resolves once a signal stopped it
      result.code = EXIT_OK;
    });

  return program;
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
