/**
 * The `twclid-kit` command tree (commander). Each action returns its exit
 * code through `result`; `main.ts` turns thrown errors into codes.
 */
import { readFileSync } from 'node:fs';
import { REQUEST_TIMEOUT_MS_DEFAULT } from '@twclid-kit/server/core';
import { Command, Option } from 'commander';
import { printChecks, runDoctor } from './doctor.ts';
import { runEmulator } from './emulator-command.ts';
import { EXIT_FAILURES, EXIT_OK } from './exit-codes.ts';
import { defaultCountry, positiveInt } from './flag-values.ts';
import { CONFIG_HELP, EXIT_HELP } from './help-text.ts';
import type { CliIo } from './io.ts';
import { printLogin, runOAuthLogin } from './oauth-login.ts';
import { outboxDead, outboxPurge, outboxRetry, outboxStatus } from './outbox-command.ts';
import { addReportCommand, addTagsCommand } from './report-command.ts';
import { runSend } from './send.ts';
import { addConnectionOptions, type ConfigFlags, loadConfig } from './settings.ts';
import { addUploadCommand } from './upload-command.ts';

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

  addSendCommand(program, io, result);
  addUploadCommand(program, io, result);
  addDoctorCommand(program, io, result);
  addTagsCommand(program, io, result);
  addReportCommand(program, io, result);
  addOAuthCommands(program, io, result);
  addOutboxCommands(program, io, result);
  addEmulatorCommand(program, io, result);
  return program;
}

export { printUploadSummary } from './upload-command.ts';

/** Registers `send`: one conversion. */
function addSendCommand(program: Command, io: CliIo, result: ProgramResult): void {
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
}

/** Registers `doctor`. */
function addDoctorCommand(program: Command, io: CliIo, result: ProgramResult): void {
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
          'a 400, so nothing is ever counted; X has no validation-only mode); tags (each web event ' +
          'tag of --event and of the outbox, as `twclid-kit tags` shows it; a warning at most). ' +
          'Checks that need an optional setting that is absent (X_AD_ACCOUNT_ID) are skipped.',
      )
      .option('--event <id...>', 'also check these web event tags (see `twclid-kit tags`)')
      .option('--db <file>', 'outbox database, for the tags it delivered to (env TWCLID_KIT_DB)')
      .option('--timeout <ms>', 'timeout per request in ms', String(REQUEST_TIMEOUT_MS_DEFAULT))
      .option('--json', 'machine-readable output'),
  )
    .addHelpText('after', `\nExample:\n  twclid-kit doctor\n${CONFIG_HELP}\n${EXIT_HELP}`)
    .action(async (flags: ConfigFlags & { timeout?: string; json?: boolean; event?: string[] }) => {
      const timeoutMs = positiveInt('--timeout', flags.timeout) ?? REQUEST_TIMEOUT_MS_DEFAULT;
      const checks = await runDoctor({ ...flags, timeoutMs }, io);
      printChecks(checks, io, flags.json === true);
      result.code = checks.some((c) => c.status === 'fail') ? EXIT_FAILURES : EXIT_OK;
    });
}

/** Registers `oauth login`. */
function addOAuthCommands(program: Command, io: CliIo, result: ProgramResult): void {
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
}

/** Registers `outbox status|dead|retry|purge`. */
function addOutboxCommands(program: Command, io: CliIo, result: ProgramResult): void {
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
}

/** Registers `emulator`. */
function addEmulatorCommand(program: Command, io: CliIo, result: ProgramResult): void {
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
}
