/**
 * Check 2: a new user's Node app. The tarballs plus hono, @hono/node-server and
 * better-sqlite3 from the registry, the README's route as plain `.mjs` run by
 * plain `node`, the emulator from the installed bin, and real Chromium landing
 * from an ad and converting through flow A (form) and flow C (sendConversion).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorApi } from '../e2e/demo/emulator-api.ts';
import { bothCopies, expectCountedOnce, type FlowRun, sha256 } from '../e2e/demo/flows.ts';
import { newTwclid } from '../e2e/demo/twclid.ts';
import { launchChromium } from '../e2e/support/chromium.ts';
import { type ConsumerApp, consumerApp, presentOf } from './lib/app.ts';
import { type RunningEmulator, startEmulatorBin } from './lib/emulator.ts';
import { type Service, startService, stopAll } from './lib/exec.ts';
import { isolationProblems, isolationReport } from './lib/isolation.ts';

let app: ConsumerApp;
let emulator: RunningEmulator;
let server: Service;
let appUrl: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  app = await consumerApp('node-app', {
    tarballs: ['browser', 'server', 'emulator'],
    registry: ['hono', '@hono/node-server', 'better-sqlite3@^12'],
    allowScripts: ['better-sqlite3'],
  });
  app.copyFixture('node-app');
  emulator = await startEmulatorBin(app);
  // The emulator prints both auth methods; configFromEnv wants exactly one (OAuth here).
  const { X_PIXEL_TOKEN: _token, ...settings } = emulator.settings;
  server = startService('app.mjs', process.execPath, ['app.mjs'], {
    cwd: app.dir,
    env: app.env({ ...settings, TWCLID_KIT_DB: app.path('outbox.db'), PORT: '0' }),
  });
  [, appUrl = ''] = await server.waitForOutput(/app listening on (http:\/\/\S+)/, 30_000);
  browser = await launchChromium();
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await stopAll();
});

describe('a Node app installed from the tarballs', () => {
  it('resolves everything from its own node_modules and has no TypeScript loader', async () => {
    const report = await isolationReport(app, [
      '@twclid-kit/server',
      '@twclid-kit/server/sqlite',
      '@twclid-kit/browser',
      'hono',
      'better-sqlite3',
    ]);
    expect(isolationProblems(app, report), JSON.stringify(report, null, 2)).toEqual([]);
    expect(presentOf(app, ['tsx', 'typescript', 'esbuild'])).toEqual([]);
    expect(existsSync(app.path('node_modules/.bin/tsx'))).toBe(false);
  });

  it('serves the browser package’s IIFE byte for byte at /tw/twclid.js', async () => {
    const file = app.path('node_modules/@twclid-kit/browser/dist/twclid.iife.js');
    expect(existsSync(file), file).toBe(true);
    // The page's own script tag, as the browser will follow it.
    const html = await (await fetch(`${appUrl}/`)).text();
    const src = /<script src="(\/tw\/twclid\.js\?v=[^"]+)"/.exec(html)?.[1];
    expect(src, html).toBeDefined();
    const response = await fetch(`${appUrl}${src}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(response.headers.get('cache-control')).toContain('immutable');
    expect(response.headers.get('etag')).toMatch(/^".+"$/);
    expect(Buffer.from(await response.arrayBuffer()).equals(readFileSync(file))).toBe(true);
  });

  it('counts a form conversion (flow A) and a sendConversion (flow C) once each, with both copies', async () => {
    const api = emulatorApi(emulator.url);
    const twclid = newTwclid();
    const email = ' Ann.Consumer@Example.COM ';
    await page.goto(`${appUrl}/?twclid=${twclid}`);
    // The deferred kit script from /tw/twclid.js has run and the emulator's uwt.js took over twq.
    await page.waitForFunction(
      'window.twclidKit !== undefined && typeof window.twq?.exe === "function"',
      undefined,
      { timeout: 20_000 },
    );

    // Flow A: the data-tw-event form, posted to the README's kit.form() route.
    await page.fill('#buy input[name=email]', email);
    const posted = page.waitForRequest(
      (r) => r.url().endsWith('/checkout') && r.method() === 'POST',
    );
    await page.click('#buy button');
    const form = new URLSearchParams((await posted).postData() ?? '');
    await page.waitForURL(/\/thank-you$/);
    expect(form.get('twclid')).toBe(twclid);
    const flowA: FlowRun = { conversionId: form.get('conversion_id') ?? '', eventId: 'o87ne' };
    expect(flowA.conversionId).toMatch(/^[0-9a-f-]{36}$/);

    // Flow C: no twclid in this URL, so the server must take it from the click cookie.
    await page.goto(`${appUrl}/`);
    await page.waitForFunction('window.twclidKit !== undefined');
    await page.fill('#pay input[name=email]', email);
    await page.click('#pay button');
    const paid = page.locator('body[data-paid]');
    await paid.waitFor({ timeout: 20_000 });
    const flowC: FlowRun = {
      conversionId: (await paid.getAttribute('data-paid')) ?? '',
      eventId: 'o87ne',
    };
    expect(flowC.conversionId).not.toBe(flowA.conversionId);

    for (const run of [flowA, flowC]) {
      const groups = await bothCopies(api, run.conversionId);
      const group = expectCountedOnce(groups, run, twclid, email, expect);
      // The Conversion API copy is the one our server sent: the hash, never the address.
      expect(group.capi[0]?.hashedEmail).toBe(sha256('ann.consumer@example.com'));
    }
    expect(server.output(), 'the app logs no raw email').not.toMatch(/ann\.consumer/i);
  });
});
