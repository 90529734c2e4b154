/**
 * Command line flags of `twclid-emulator`, parsed with node:util parseArgs and
 * turned into StartOptions. Kept apart from the bin so it can be tested.
 */
import { parseArgs } from 'node:util';
import type { StartOptions } from './start.ts';

export const CLI_USAGE = `Usage: twclid-emulator [options]

Local X Ads API (Conversion API, access level, 3-legged OAuth) and X Pixel stand-in.

Options:
  --port <n>                   port to listen on (0 = any free port)      default 4100
  --host <addr>                interface to listen on                     default 127.0.0.1
  --seed <n>                   fault PRNG seed                            default 1
  --server-error-rate <0..1>   share of requests answered 5xx             default 0
  --server-error-html          injected 5xx answers have an HTML body (like a proxy)
  --rate-limit-rate <0..1>     share answered 429 with Retry-After        default 0
  --retry-after <s>            Retry-After on an injected 429             default 1
  --timeout-rate <0..1>        share never answered                       default 0
  --hang-ms <ms>               how long a timed-out request hangs (0 = until the client gives up)
  --drop-rate <0..1>           share whose connection is destroyed        default 0
  --drop-after-processing      count dropped requests' conversions (X processed them)
  --slow-rate <0..1>           share delayed by --slow-ms                 default 0
  --slow-ms <ms>               delay of a slow request                    default 2000
  --latency-ms <ms>            delay added to every Ads API request       default 0
  --events-per-window <n>      events per account per 15 minutes          default 60000
  --unknown-event-status <n>   404 (default) or 400 for an unknown event
  -h, --help                   show this help`;

export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

const FAULT_FLAGS: Record<string, string> = {
  'server-error-rate': 'serverErrorRate',
  'rate-limit-rate': 'rateLimitRate',
  'retry-after': 'retryAfterSeconds',
  'timeout-rate': 'timeoutRate',
  'hang-ms': 'hangMs',
  'drop-rate': 'dropRate',
  'slow-rate': 'slowRate',
  'slow-ms': 'slowMs',
  'latency-ms': 'latencyMs',
  seed: 'seed',
};

function num(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new CliUsageError(`--${flag}: expected a number, got "${value}"`);
  }
  return n;
}

/** Parses argv (without node and script) into start options; `help` when asked. */
export function parseCliArgs(
  argv: string[],
): { help: true } | { help: false; options: StartOptions } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'events-per-window': { type: 'string' },
        'unknown-event-status': { type: 'string' },
        'drop-after-processing': { type: 'boolean' },
        'server-error-html': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(
          Object.keys(FAULT_FLAGS).map((f) => [f, { type: 'string' as const }]),
        ),
      },
    }));
  } catch (err) {
    throw new CliUsageError((err as Error).message);
  }
  if (values.help) return { help: true };
  const options: StartOptions = { port: 4100 };
  if (typeof values.port === 'string') options.port = num('port', values.port);
  if (typeof values.host === 'string') options.hostname = values.host;
  if (typeof values['events-per-window'] === 'string') {
    options.eventsPerWindow = num('events-per-window', values['events-per-window']);
  }
  if (typeof values['unknown-event-status'] === 'string') {
    const status = num('unknown-event-status', values['unknown-event-status']);
    if (status !== 404 && status !== 400)
      throw new CliUsageError('--unknown-event-status: must be 404 or 400');
    options.unknownEventStatus = status;
  }
  const faults: Record<string, unknown> = {};
  for (const [flag, key] of Object.entries(FAULT_FLAGS)) {
    const v = values[flag];
    if (typeof v === 'string') faults[key] = num(flag, v);
  }
  if (values['drop-after-processing']) faults.dropAfterProcessing = true;
  if (values['server-error-html']) faults.serverErrorHtml = true;
  if (Object.keys(faults).length > 0) options.faults = faults;
  return { help: false, options };
}
