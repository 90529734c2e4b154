/**
 * `twclid-kit emulator`: starts the local X Ads API emulator
 * (`@twclid-kit/emulator`, imported only when this command runs) and prints
 * the environment to point the app, the demo or the other commands at it.
 * Runs until Ctrl-C / SIGTERM.
 */
import { UsageError } from './exit-codes.ts';
import type { CliIo } from './io.ts';

export interface EmulatorFlags {
  port: string;
  host: string;
  seed?: string;
  errorRate?: string;
  rateLimitRate?: string;
  retryAfter?: string;
  timeoutRate?: string;
  dropRate?: string;
  dropAfterProcessing?: boolean;
  slowRate?: string;
  slowMs?: string;
  latencyMs?: string;
  eventsPerWindow?: string;
}

function number(
  flag: string,
  value: string | undefined,
  check: (n: number) => boolean,
  what: string,
) {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) {
    throw new UsageError(`${flag} must be ${what}, not "${value}"`);
  }
  return n;
}

const share = (n: number) => n >= 0 && n <= 1;
const nonNegativeInt = (n: number) => Number.isInteger(n) && n >= 0;

/** Flags → `startEmulator` fault options; each checked here so errors name the flag. */
export function faultsFromFlags(flags: EmulatorFlags): Record<string, unknown> {
  const faults: Record<string, unknown> = {};
  const set = (key: string, value: number | boolean | undefined) => {
    if (value !== undefined) faults[key] = value;
  };
  set('seed', number('--seed', flags.seed, Number.isInteger, 'an integer'));
  set('serverErrorRate', number('--error-rate', flags.errorRate, share, 'a share from 0 to 1'));
  set(
    'rateLimitRate',
    number('--rate-limit-rate', flags.rateLimitRate, share, 'a share from 0 to 1'),
  );
  set(
    'retryAfterSeconds',
    number('--retry-after', flags.retryAfter, nonNegativeInt, 'whole seconds'),
  );
  set('timeoutRate', number('--timeout-rate', flags.timeoutRate, share, 'a share from 0 to 1'));
  set('dropRate', number('--drop-rate', flags.dropRate, share, 'a share from 0 to 1'));
  if (flags.dropAfterProcessing) set('dropAfterProcessing', true);
  set('slowRate', number('--slow-rate', flags.slowRate, share, 'a share from 0 to 1'));
  set('slowMs', number('--slow-ms', flags.slowMs, nonNegativeInt, 'milliseconds'));
  set('latencyMs', number('--latency-ms', flags.latencyMs, nonNegativeInt, 'milliseconds'));
  return faults;
}

/** Starts the emulator; resolves when it has stopped (after a signal). */
export async function runEmulator(flags: EmulatorFlags, io: CliIo): Promise<void> {
  const port = number(
    '--port',
    flags.port,
    (n) => nonNegativeInt(n) && n <= 65_535,
    'a port from 0 to 65535',
  ) as number;
  const eventsPerWindow = number(
    '--events-per-window',
    flags.eventsPerWindow,
    (n) => Number.isInteger(n) && n > 0,
    'a positive integer',
  );
  const faults = faultsFromFlags(flags);
  const { startEmulator, EMULATOR_DEFAULTS } = await import('@twclid-kit/emulator');
  let handle: Awaited<ReturnType<typeof startEmulator>>;
  try {
    handle = await startEmulator({
      port,
      hostname: flags.host,
      faults,
      ...(eventsPerWindow !== undefined ? { eventsPerWindow } : {}),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new UsageError(
        `port ${port} is in use`,
        'pick another with --port (0 = any free port)',
      );
    }
    if (error instanceof Error && /Error$/.test(error.name) && error.name !== 'Error') {
      throw new UsageError(error.message);
    }
    throw error;
  }
  const d = EMULATOR_DEFAULTS;
  io.stdout.write(
    [
      `X emulator listening on ${handle.url}`,
      '',
      '# Point the app (or other twclid-kit commands) at it:',
      `X_ADS_API_BASE_URL=${handle.url}`,
      `X_OAUTH_BASE_URL=${handle.url}`,
      `X_ADS_API_VERSION=${d.apiVersion}`,
      `X_PIXEL_ID=${d.pixelId}`,
      `X_AD_ACCOUNT_ID=${d.accountId}`,
      `X_CONSUMER_KEY=${d.consumerKey}`,
      `X_CONSUMER_SECRET=${d.consumerSecret}`,
      `X_ACCESS_TOKEN=${d.accessToken}`,
      `X_ACCESS_TOKEN_SECRET=${d.accessTokenSecret}`,
      `# or, instead of the four OAuth variables: X_PIXEL_TOKEN=${d.pixelToken}`,
      '',
      `Events: ${Object.values(d.events)
        .map((e) => `${e.id} (${e.name})`)
        .join(', ')}`,
      `Pixel script: ${handle.url}/uwt.js`,
      `Inspect: ${handle.url}/_emulator/stats, /_emulator/conversions, /_emulator/events`,
      Object.keys(faults).length > 0
        ? `Faults: ${JSON.stringify(handle.faults())}`
        : 'Faults: none',
      '',
      'Ctrl-C stops it.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.stderr.write('Stopping the emulator.\n');
      handle.close().then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
