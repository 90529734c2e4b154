/**
 * twclid-emulator: starts the local X Ads API + Pixel stand-in and prints the
 * URL and the credentials to use. Stops on SIGINT/SIGTERM.
 */
import { CLI_USAGE, parseCliArgs } from './cli-args.ts';
import type { ResolvedConfig } from './config.ts';
import { EMULATOR_DEFAULTS as D } from './defaults.ts';
import { startEmulator } from './start.ts';

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseCliArgs>;
  try {
    parsed = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`twclid-emulator: ${(err as Error).message}\n\n${CLI_USAGE}\n`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(`${CLI_USAGE}\n`);
    return 0;
  }
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator(parsed.options);
  } catch (err) {
    process.stderr.write(`twclid-emulator: ${(err as Error).message}\n`);
    return 1;
  }
  const faults = emulator.faults();
  const active = Object.entries(faults).filter(
    ([k, v]) =>
      k !== 'seed' &&
      k !== 'serverErrorStatuses' &&
      typeof v === 'number' &&
      v > 0 &&
      k.endsWith('Rate'),
  );
  process.stdout.write(
    [
      `X emulator listening on ${emulator.url}`,
      '',
      'Use these settings (demo credentials of the emulator, not real secrets):',
      `  X_ADS_API_BASE_URL=${emulator.url}`,
      `  X_ADS_API_VERSION=${D.apiVersion}`,
      `  X_AD_ACCOUNT_ID=${D.accountId}`,
      `  X_PIXEL_ID=${D.pixelId}`,
      `  X_CONSUMER_KEY=${D.consumerKey}`,
      `  X_CONSUMER_SECRET=${D.consumerSecret}`,
      `  X_ACCESS_TOKEN=${D.accessToken}`,
      `  X_ACCESS_TOKEN_SECRET=${D.accessTokenSecret}`,
      `  X_PIXEL_TOKEN=${D.pixelToken}`,
      '',
      `Events: ${Object.values(D.events)
        .map((e) => `${e.id} (${e.name})`)
        .join(', ')}`,
      `Pixel base code src: ${emulator.url}/uwt.js`,
      `Inspect: ${emulator.url}/_emulator/conversions  ${emulator.url}/_emulator/stats`,
      `Faults: ${active.length ? active.map(([k, v]) => `${k}=${v}`).join(' ') : 'none'} (seed ${faults.seed})`,
      analyticsLine(emulator.config),
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await emulator.close();
  return 0;
}

/** One line on the tag and stats side: time zone, attribution, jobs, where to compare. */
function analyticsLine(config: ResolvedConfig): string {
  const a = config.analytics;
  const tz = config.accountsById.get(D.accountId)?.timezone ?? a.timezone;
  const apps = [...config.consumerAccess.values()].includes('conversion_only')
    ? ', app has Conversion Only access (stats refused)'
    : '';
  return `Stats: account time zone ${tz}, ${Math.round(a.attributionShare * 100)}% of counted conversions attributed, jobs succeed at poll ${a.jobPolls}${apps}; compare with /_emulator/attributed`;
}

main().then((code) => {
  process.exitCode = code;
});
