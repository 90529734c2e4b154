/**
 * Command line flags of `twclid-emulator`, parsed with node:util parseArgs and
 * turned into StartOptions. Kept apart from the bin so it can be tested.
 */
import { parseArgs } from 'node:util';
import type { AnalyticsOptions } from './analytics/analytics-config.ts';
import { PERMISSIONS, type Permission } from './config.ts';
import { EMULATOR_DEFAULTS } from './defaults.ts';
import type { StartOptions } from './start.ts';

export const CLI_USAGE = `Usage: twclid-emulator [options]

Local X Ads API (Conversion API, access level, 3-legged OAuth, web event tags,
stats and stats jobs) and X Pixel stand-in.

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
  --timezone <tz>              the ad account's time zone                 default America/Los_Angeles
  --attribution-share <0..1>   share of counted conversions attributed    default 0.5
  --post-view-share <0..1>     share of attributed ones that are post-view default 0.25
  --attribution-seed <n>       seed of the attribution draws              default 1
  --job-polls <n>              polls before a stats job reports SUCCESS   default 2
  --job-delay-ms <ms>          emulator time before a job may succeed     default 0
  --max-processing-jobs <n>    jobs processing at once before TOO_MANY_JOBS default 100
  --stats-requests-per-window <n>  sync stats requests per user / 15 min  default 250
  --result-lag <n>             first downloads of a job result answer 404 default 0
  --conversion-only            the demo app has Conversion Only access (no stats)
  --permissions <a,b>          the demo user's roles on the demo account  default ACCOUNT_ADMIN
                               (e.g. CREATIVE_MANAGER: no stats role)
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

const ANALYTICS_FLAGS: Record<string, keyof AnalyticsOptions> = {
  'attribution-share': 'attributionShare',
  'post-view-share': 'postViewShare',
  'attribution-seed': 'seed',
  'job-polls': 'jobPolls',
  'job-delay-ms': 'jobDelayMs',
  'max-processing-jobs': 'maxProcessingJobs',
  'stats-requests-per-window': 'statsRequestsPerWindow',
  'result-lag': 'resultLagRequests',
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
        timezone: { type: 'string' },
        'conversion-only': { type: 'boolean' },
        permissions: { type: 'string' },
        ...Object.fromEntries(
          Object.keys(ANALYTICS_FLAGS).map((f) => [f, { type: 'string' as const }]),
        ),
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
  applyAccessFlags(values, options);
  return { help: false, options };
}

/** Analytics flags, `--conversion-only` and `--permissions`, onto the options. */
function applyAccessFlags(
  values: Record<string, string | boolean | undefined>,
  options: StartOptions,
): void {
  const d = EMULATOR_DEFAULTS;
  const analytics: Record<string, unknown> = {};
  if (typeof values.timezone === 'string') analytics.timezone = values.timezone;
  for (const [flag, key] of Object.entries(ANALYTICS_FLAGS)) {
    const v = values[flag];
    if (typeof v === 'string') analytics[key] = num(flag, v);
  }
  if (Object.keys(analytics).length > 0) options.analytics = analytics as AnalyticsOptions;
  if (values['conversion-only']) {
    options.consumers = [
      { key: d.consumerKey, secret: d.consumerSecret, accessLevel: 'conversion_only' },
    ];
  }
  if (typeof values.permissions === 'string') {
    const roles = values.permissions.split(',').map((r) => r.trim());
    const bad = roles.find((r) => !PERMISSIONS.includes(r as Permission));
    if (bad !== undefined) {
      throw new CliUsageError(`--permissions: ${bad} is not one of ${PERMISSIONS.join(', ')}`);
    }
    const access = { [d.accountId]: roles as Permission[] };
    options.users = [{ id: d.userId, screenName: d.screenName, access }];
  }
}
