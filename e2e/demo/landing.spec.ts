/**
 * Click capture on the demo's landing page in real Chromium: the stored click
 * and its cookie attributes, last click wins, and Global Privacy Control.
 */
import { CLICK_COOKIE } from '@twclid-kit/browser/contract';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { type DemoStack, startDemoStack } from './demo-stack.ts';
import { type EmulatorApi, emulatorApi } from './emulator-api.ts';
import { bothCopies, joinClub, landFromAd, purchase, requestWholesale } from './flows.ts';
import { newTwclid } from './twclid.ts';
import { waitFor } from './wait-for.ts';

const NINETY_DAYS_S = 90 * 86_400;

interface Health {
  depth: number;
  counters: { accepted: number; suppressed: number };
}

let stack: DemoStack;
let browser: Browser;
let api: EmulatorApi;
let context: BrowserContext | undefined;

const health = async (): Promise<Health> =>
  (await (await fetch(`${stack.demoUrl}/tw/health`)).json()) as Health;

async function freshPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
  context = await browser.newContext(options);
  return context.newPage();
}

beforeAll(async () => {
  stack = await startDemoStack();
  api = emulatorApi(stack.emulatorUrl);
  browser = await launchChromium();
});

afterEach(async () => {
  await context?.close();
  context = undefined;
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('landing from an ad', () => {
  it('stores the click in a first-party cookie the server sets on landing, for 90 days', async () => {
    const page = await freshPage();
    const twclid = newTwclid();
    const before = Date.now();
    const response = await page.goto(`${stack.demoUrl}/?twclid=${twclid}`);

    // The landing middleware answers with Set-Cookie (Safari keeps these longer than script cookies).
    const setCookie = (await response?.headerValue('set-cookie')) ?? '';
    expect(setCookie).toMatch(new RegExp(`^${CLICK_COOKIE}=1\\.\\d+\\.${twclid};`));
    expect(setCookie).toContain(`Max-Age=${NINETY_DAYS_S}`);
    expect(setCookie).toContain('Path=/');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).not.toMatch(/HttpOnly/i);
    expect(setCookie).not.toMatch(/Secure/i); // plain http here; Secure on https

    const cookie = (await context?.cookies())?.find((c) => c.name === CLICK_COOKIE);
    expect(cookie).toMatchObject({
      domain: '127.0.0.1',
      path: '/',
      sameSite: 'Lax',
      httpOnly: false,
      secure: false,
    });
    const [, clickedAt, stored] = /^1\.(\d+)\.(.+)$/.exec(cookie?.value ?? '') ?? [];
    expect(stored).toBe(twclid);
    expect(Number(clickedAt)).toBeGreaterThanOrEqual(before - 1_000);
    const expiresIn = (cookie?.expires ?? 0) - before / 1000;
    expect(Math.abs(expiresIn - NINETY_DAYS_S)).toBeLessThan(120);
    // Every page now knows the click, and the Pixel's page view carried it to X.
    await page.goto(`${stack.demoUrl}/shop/grinder`);
    expect(await page.textContent('[data-testid=demo-twclid]')).toBe(twclid);
    const views = await waitFor('the Pixel page view with the click', async () => {
      const events = await api.events('?type=page_view');
      return events.some((e) => e.twclid === twclid) ? events : undefined;
    });
    expect(views.length).toBeGreaterThan(0);
  });

  it('a second click replaces the first (last click wins), and the next conversion carries it', async () => {
    const page = await freshPage();
    const first = newTwclid();
    const second = newTwclid();
    await landFromAd(page, stack.demoUrl, first);

    // The second click arrives by single-page-app navigation, where only the script sees it:
    // it stores the click (cookie and localStorage mirror) and asks the server to re-set the cookie.
    const capture = page.waitForResponse((r) => r.url().endsWith('/tw/capture'));
    await page.evaluate((id) => history.pushState({}, '', `/?twclid=${id}`), second);
    const captured = await capture;
    expect(captured.status()).toBe(204);
    expect(JSON.parse(captured.request().postData() ?? '{}')).toEqual({ twclid: second });
    expect((await captured.headerValue('set-cookie')) ?? '').toMatch(
      new RegExp(`^${CLICK_COOKIE}=1\\.\\d+\\.${second};`),
    );

    const cookies = ((await context?.cookies()) ?? []).filter((c) => c.name === CLICK_COOKIE);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]?.value).toMatch(new RegExp(`^1\\.\\d+\\.${second}$`));
    expect(await page.evaluate((key) => localStorage.getItem(key), CLICK_COOKIE)).toContain(second);

    const run = await requestWholesale(page, stack.demoUrl, 'second.click@example.com');
    const [group] = await bothCopies(api, run.conversionId);
    expect(group?.pixel[0]?.twclid).toBe(second);
    expect(group?.capi[0]?.twclid).toBe(second);

    // A later landing from another ad replaces it again, server-side this time.
    const third = newTwclid();
    await landFromAd(page, stack.demoUrl, third);
    const latest = ((await context?.cookies()) ?? []).filter((c) => c.name === CLICK_COOKIE);
    expect(latest.map((c) => c.value)).toEqual([expect.stringMatching(new RegExp(`\\.${third}$`))]);
  });

  it('Global Privacy Control: nothing is stored and no flow forwards anything to X', async () => {
    const page = await freshPage({ extraHTTPHeaders: { 'Sec-GPC': '1' } });
    await page.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true });
    });
    const twclid = newTwclid();
    const kitBefore = await health();

    const response = await page.goto(`${stack.demoUrl}/?twclid=${twclid}`);
    expect(
      await page.evaluate(
        () => (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl,
      ),
    ).toBe(true);
    expect((await response?.headerValue('set-cookie')) ?? '').not.toContain(CLICK_COOKIE);
    expect((await context?.cookies())?.some((c) => c.name === CLICK_COOKIE)).toBe(false);
    expect(await page.evaluate((key) => localStorage.getItem(key), CLICK_COOKIE)).toBeNull();

    const runs = [
      await purchase(page, stack.demoUrl, 'gpc.a@example.com', '+1 415 555 0100'),
      await requestWholesale(page, stack.demoUrl, 'gpc.b@example.com'),
      await joinClub(page, stack.demoUrl, 'gpc.c@example.com'),
    ];

    // The server acknowledged flows A and C as suppressed and stored nothing;
    // flow B never left the browser.
    const after = await waitFor('the kit to count both suppressed conversions', async () => {
      const now = await health();
      return now.counters.suppressed - kitBefore.counters.suppressed >= 2 ? now : undefined;
    });
    expect(after.counters.suppressed - kitBefore.counters.suppressed).toBe(2);
    expect(after.counters.accepted).toBe(kitBefore.counters.accepted);
    expect(after.depth).toBe(0);
    // X saw nothing of this visitor: no Pixel page view with the click, no copy of any conversion.
    const views = await api.events('?type=page_view');
    expect(views.filter((e) => e.twclid === twclid)).toEqual([]);
    for (const run of runs) {
      expect(run.conversionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(await api.events(`?conversion_id=${run.conversionId}`)).toEqual([]);
    }
  });
});
