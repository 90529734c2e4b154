/**
 * `npm run demo`: starts the X emulator (unless X_ADS_API_BASE_URL points
 * elsewhere), the kit with a SQLite outbox, and the demo shop, then prints
 * where to click. SIGINT/SIGTERM flush the outbox and stop everything.
 */
import { resolve } from 'node:path';
import { isConfigError } from '@twclid-kit/server';
import { newClickId } from './click-id.ts';
import { type DemoConfig, demoConfigFromEnv } from './config.ts';
import { startDemo } from './start-demo.ts';

function fail(message: string): never {
  console.error(`demo: ${message}`);
  process.exit(1);
}

const REAL_X_HELP = `
  To send to the real X instead, stop the demo and start it with:
    X_ADS_API_BASE_URL=https://ads-api.x.com X_PIXEL_ID=<pixel> X_AD_ACCOUNT_ID=<account>
    X_CONSUMER_KEY=… X_CONSUMER_SECRET=… X_ACCESS_TOKEN=… X_ACCESS_TOKEN_SECRET=…  (or X_PIXEL_TOKEN=…)
    DEMO_EVENT_PURCHASE=<event> DEMO_EVENT_LEAD=<event> DEMO_EVENT_SIGNUP=<event>
`;

async function main(): Promise<void> {
  let config: DemoConfig;
  try {
    config = demoConfigFromEnv(process.env);
  } catch (error) {
    if (isConfigError(error)) fail(error.message);
    throw error;
  }
  const demo = await startDemo(config);
  // Cookies and the printed links read better on `localhost` than on the loopback IP.
  const base = demo.url.replace(/\/\/(127\.0\.0\.1|0\.0\.0\.0)(?=:)/, '//localhost');
  const xNote = demo.emulator
    ? '  (local emulator: uwt.js, Ads API, /_emulator/*)'
    : demo.isEmulator
      ? '  (emulator)'
      : '';
  console.log(`
  twclid-kit demo is running

  Simulated ad click:  ${base}/?twclid=${newClickId()}
  Dashboard:           ${base}/dashboard
  X endpoint:          ${demo.xBaseUrl}${xNote}
  Outbox (SQLite):     ${resolve(config.dbPath)}
${demo.emulator ? REAL_X_HELP : ''}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`demo: ${signal}: flushing the outbox and stopping`);
    const { drained } = await demo.close();
    if (!drained) console.log('demo: undelivered events stay in the outbox for the next start');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (!(error instanceof Error)) fail(String(error));
  // Start-up problems name what to fix (`PORT: 3000 is in use; set PORT`); others keep their stack.
  fail(
    /^[A-Z_]+: |is missing/.test(error.message) ? error.message : (error.stack ?? error.message),
  );
});
