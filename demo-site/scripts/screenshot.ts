/**
 * `npm run screenshot -w @twclid-kit/demo-site`: runs the demo with its own
 * emulator, walks two visitors through the three flows in headless Chromium
 * (with a short X outage the outbox recovers from), and saves the dashboard
 * as `docs/dashboard.png` for the README.
 *
 * Everything on the picture comes from this real run. The one staging step:
 * the emulator's clock (its test time-travel feature) is moved between steps
 * so the run spreads over the chart's five minutes instead of its last slot.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@twclid-kit/server';
import sharp from 'sharp';
import { joinClub, purchase, requestWholesale } from '../../e2e/demo/flows.ts';
import { waitFor } from '../../e2e/demo/wait-for.ts';
import { launchChromium } from '../../e2e/support/chromium.ts';
import { demoConfigFromEnv } from '../src/server/config.ts';
import { startDemo } from '../src/server/start-demo.ts';

const OUT = fileURLToPath(new URL('../../docs/dashboard.png', import.meta.url));
const STEP_MS = 35_000;

const dir = mkdtempSync(join(tmpdir(), 'twclid-demo-screenshot-'));
const demo = await startDemo(
  demoConfigFromEnv({
    PORT: '0',
    EMULATOR_PORT: '0',
    TWCLID_KIT_DB: join(dir, 'outbox.db'),
    DEMO_FLUSH_INTERVAL_MS: '200',
  }),
  { logger: silentLogger },
);
const emulator = demo.emulator;
if (!emulator) throw new Error('the screenshot needs the demo’s own emulator');
const browser = await launchChromium();

try {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  emulator.clock.set(Date.now() - 7 * STEP_MS);
  const step = () => emulator.clock.advance(STEP_MS);
  const allCounted = () =>
    waitFor('every conversion to be counted once', () => {
      const groups = emulator.state.conversions();
      return groups.every((g) => g.verdict === 'counted_once') && groups.length > 0;
    });

  await page.goto(`${demo.url}/ad-click`);
  await purchase(page, demo.url, 'ada@example.com', '+1 415 555 0100');
  await allCounted();
  step();
  await requestWholesale(page, demo.url, 'grace@example.org');
  await allCounted();
  step();
  await joinClub(page, demo.url, 'katherine@example.net');
  await allCounted();
  step();

  // A second visitor, while X answers every Conversion API request with 500/503.
  await page.goto(`${demo.url}/ad-click`);
  emulator.setFaults({ serverErrorRate: 1, seed: 7 });
  await purchase(page, demo.url, 'alan@example.com', '+44 20 7946 0958');
  await waitFor('a failed attempt', () => emulator.state.stats().faults.server_error >= 1);
  step();
  await requestWholesale(page, demo.url, 'edsger@example.nl');
  await waitFor('more failed attempts', () => emulator.state.stats().faults.server_error >= 3);
  step();
  // X recovers: the outbox delivers what it kept, and each conversion still counts once.
  emulator.setFaults({ serverErrorRate: 0 });
  await allCounted();
  step();
  await joinClub(page, demo.url, 'barbara@example.com');
  await allCounted();
  emulator.clock.set(Date.now());

  await page.goto(`${demo.url}/dashboard`);
  await page.locator('[data-testid=pending]', { hasText: /^0$/ }).waitFor();
  // A palette PNG (libimagequant through sharp) keeps the README image small and crisp.
  const shot = await page.screenshot({ fullPage: true });
  await sharp(shot)
    .png({ palette: true, quality: 90, effort: 10, compressionLevel: 9 })
    .toFile(OUT);
  console.log(`saved ${OUT} (${Math.round(statSync(OUT).size / 1024)} KB)`);
} finally {
  await browser.close();
  await demo.close();
  rmSync(dir, { recursive: true, force: true });
}
