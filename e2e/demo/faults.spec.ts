/**
 * Fault injection from the dashboard: while the emulated X answers 5xx the
 * outbox keeps the conversions and retries; when X recovers each flow still
 * ends with exactly one counted conversion, and the dashboard shows it.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { type DemoStack, startDemoStack } from './demo-stack.ts';
import { type EmulatorApi, emulatorApi } from './emulator-api.ts';
import {
  bothCopies,
  expectCountedOnce,
  type FlowRun,
  joinClub,
  landFromAd,
  purchase,
  requestWholesale,
} from './flows.ts';
import { newTwclid } from './twclid.ts';
import { waitFor } from './wait-for.ts';

let stack: DemoStack;
let browser: Browser;
let api: EmulatorApi;
let context: BrowserContext;

beforeAll(async () => {
  stack = await startDemoStack();
  api = emulatorApi(stack.emulatorUrl);
  browser = await launchChromium();
  context = await browser.newContext();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function switchFaults(dashboard: Page, label: string, rate: number): Promise<void> {
  await dashboard.click(`#faults-form button:has-text("${label}")`);
  await waitFor(
    `the emulator's 5xx rate to be ${rate}`,
    async () => (await api.faults()).serverErrorRate === rate,
  );
  await dashboard.locator(`#faults-form button[aria-pressed=true]:has-text("${label}")`).waitFor();
}

describe('5xx faults injected from the dashboard', () => {
  it('every flow still ends with one counted conversion once X recovers', async () => {
    const dashboard = await context.newPage();
    await dashboard.goto(`${stack.demoUrl}/dashboard`);
    await switchFaults(dashboard, 'X is down', 1);

    const page = await context.newPage();
    const twclid = newTwclid();
    await landFromAd(page, stack.demoUrl, twclid);
    const runs: [FlowRun, string][] = [];
    const emailA = 'outage.a@example.com';
    runs.push([await purchase(page, stack.demoUrl, emailA, '+44 20 7946 0958'), emailA]);
    const emailB = 'outage.b@example.com';
    runs.push([await requestWholesale(page, stack.demoUrl, emailB), emailB]);
    const emailC = 'outage.c@example.com';
    runs.push([await joinClub(page, stack.demoUrl, emailC), emailC]);

    // X is failing every CAPI request: the kit keeps the events and retries.
    await waitFor(
      'two failed CAPI attempts',
      async () => (await api.stats()).faults.server_error >= 2,
    );
    await waitFor('the three conversions to wait in the outbox', async () => {
      const health = (await (await fetch(`${stack.demoUrl}/tw/health`)).json()) as {
        depth: number;
      };
      return health.depth === 3;
    });
    for (const [run] of runs) {
      const groups = await api.conversions(run.conversionId);
      expect(groups.flatMap((g) => g.capi)).toHaveLength(0);
    }
    await dashboard.locator('[data-testid=pending]', { hasText: '3' }).waitFor();

    await switchFaults(dashboard, 'Off', 0);
    for (const [run, email] of runs) {
      const groups = await bothCopies(api, run.conversionId, 45_000);
      expectCountedOnce(groups, run, twclid, email, expect);
    }
    const stats = await api.stats();
    expect(stats.faults.server_error).toBeGreaterThanOrEqual(2);

    // The dashboard shows the recovery: nothing pending, each conversion counted once.
    await dashboard.locator('[data-testid=pending]', { hasText: /^0$/ }).waitFor();
    for (const [run] of runs) {
      const row = dashboard.locator(`tr[data-conversion-id="${run.conversionId}"]`);
      await row.waitFor();
      expect(await row.locator('[data-testid=verdict]').textContent()).toBe('counted once');
    }
    const faulted = Number(await dashboard.textContent('[data-testid=faulted]'));
    expect(faulted).toBeGreaterThanOrEqual(2);
  });

  it('with half of the CAPI requests failing, each flow still counts once and nothing is left behind', async () => {
    const dashboard = await context.newPage();
    await dashboard.goto(`${stack.demoUrl}/dashboard`);
    await switchFaults(dashboard, '50% 5xx', 0.5);
    const faultsBefore = (await api.stats()).faults.server_error;

    const page = await context.newPage();
    const twclid = newTwclid();
    await landFromAd(page, stack.demoUrl, twclid);
    const runs: [FlowRun, string][] = [];
    for (let i = 0; i < 2; i++) {
      const a = `half.a${i}@example.com`;
      runs.push([await purchase(page, stack.demoUrl, a, '+1 415 555 0100'), a]);
      const b = `half.b${i}@example.com`;
      runs.push([await requestWholesale(page, stack.demoUrl, b), b]);
      const c = `half.c${i}@example.com`;
      runs.push([await joinClub(page, stack.demoUrl, c), c]);
    }
    for (const [run, email] of runs) {
      expectCountedOnce(
        await bothCopies(api, run.conversionId, 45_000),
        run,
        twclid,
        email,
        expect,
      );
    }
    await switchFaults(dashboard, 'Off', 0);
    const health = (await (await fetch(`${stack.demoUrl}/tw/health`)).json()) as {
      depth: number;
      dead: number;
    };
    expect(health).toMatchObject({ depth: 0, dead: 0 });
    // The faults really happened (the emulator's sequence is seeded, so this run always sees some).
    expect((await api.stats()).faults.server_error).toBeGreaterThan(faultsBefore);
  });
});
