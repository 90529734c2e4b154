/**
 * The three conversion flows of the demo in real Chromium against real
 * servers (emulator + demo, separate processes): each ends with exactly one
 * counted conversion at X, its Pixel and CAPI copies sharing one
 * conversion_id, the visitor's twclid and the hash of their email.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { type DemoStack, startDemoStack } from './demo-stack.ts';
import { type EmulatorApi, emulatorApi } from './emulator-api.ts';
import {
  bothCopies,
  expectCountedOnce,
  joinClub,
  landFromAd,
  purchase,
  requestWholesale,
  sha256,
} from './flows.ts';
import { newTwclid } from './twclid.ts';
import { waitFor } from './wait-for.ts';

let stack: DemoStack;
let browser: Browser;
let api: EmulatorApi;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  stack = await startDemoStack();
  api = emulatorApi(stack.emulatorUrl);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

beforeEach(async () => {
  await context?.close();
  context = await browser.newContext();
  page = await context.newPage();
});

describe('demo flows end to end', () => {
  it('flow A: the purchase form counts once, with the click, email and phone on both copies', async () => {
    const twclid = newTwclid();
    const email = 'Ada.Lovelace@Example.COM';
    await landFromAd(page, stack.demoUrl, twclid);
    const before = await api.stats();

    const run = await purchase(page, stack.demoUrl, email, '+1 415 555 0100');
    expect(run.conversionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await page.textContent('[data-testid=thank-you]')).toBe('Thank you!');

    const group = expectCountedOnce(
      await bothCopies(api, run.conversionId),
      run,
      twclid,
      email,
      expect,
    );
    // Phone: E.164 with the leading + before hashing (docs/x-api.md §1, Identifiers).
    const phoneHash = sha256('+14155550100');
    expect(group.pixel[0]?.hashedPhoneNumber).toBe(phoneHash);
    expect(group.capi[0]?.hashedPhoneNumber).toBe(phoneHash);
    // The server adds what the browser cannot vouch for: value, IP and user agent.
    expect(group.capi[0]?.value).toBe('129.00');
    expect(group.capi[0]?.ipAddress).toBe('127.0.0.1');
    expect(group.capi[0]?.userAgent).toContain('Chrome');
    expect((await api.stats()).counted - before.counted).toBe(1);
  });

  it('flow B: twclidKit.track() counts once', async () => {
    const twclid = newTwclid();
    const email = 'grace@example.org';
    await landFromAd(page, stack.demoUrl, twclid);
    const before = await api.stats();

    const run = await requestWholesale(page, stack.demoUrl, email);
    expect(run.conversionId).toMatch(/^[0-9a-f-]{36}$/);

    expectCountedOnce(await bothCopies(api, run.conversionId), run, twclid, email, expect);
    expect((await api.stats()).counted - before.counted).toBe(1);
  });

  it('flow C: sendConversion() after a payment counts once with the Pixel copy', async () => {
    const twclid = newTwclid();
    const email = 'katherine@example.net';
    await landFromAd(page, stack.demoUrl, twclid);
    const before = await api.stats();

    const run = await joinClub(page, stack.demoUrl, email);
    expect(run.conversionId).toMatch(/^[0-9a-f-]{36}$/);

    const group = expectCountedOnce(
      await bothCopies(api, run.conversionId),
      run,
      twclid,
      email,
      expect,
    );
    expect(group.capi[0]?.value).toBe('12.00');
    expect((await api.stats()).counted - before.counted).toBe(1);
  });

  it('flow C: a declined card sends neither copy', async () => {
    await landFromAd(page, stack.demoUrl, newTwclid());
    await page.goto(`${stack.demoUrl}/club`);
    await page.fill('input[name=email]', 'declined@example.com');
    await page.fill('input[name=card]', '4000 0000 0000 0002');
    const posted = page.waitForRequest((r) => r.url().endsWith('/api/club/join'));
    await page.click('#club-form button[type=submit]');
    const { conversion_id } = JSON.parse((await posted).postData() ?? '{}') as {
      conversion_id: string;
    };
    await page.locator('[data-testid=club-result]', { hasText: 'declined' }).waitFor();
    // The kit would have stored a CAPI copy before answering; nothing is pending or sent.
    const health = (await (await fetch(`${stack.demoUrl}/tw/health`)).json()) as { depth: number };
    expect(health.depth).toBe(0);
    expect(await api.conversions(conversion_id)).toEqual([]);
  });

  it('the dashboard shows each conversion counted once, with both copies', async () => {
    const twclid = newTwclid();
    await landFromAd(page, stack.demoUrl, twclid);
    const run = await requestWholesale(page, stack.demoUrl, 'dash@example.com');
    await bothCopies(api, run.conversionId);

    await page.goto(`${stack.demoUrl}/dashboard`);
    expect(await page.textContent('[data-testid=click-id]')).toContain(twclid.slice(0, 18));
    const row = page.locator(`tr[data-conversion-id="${run.conversionId}"]`);
    await row.waitFor();
    expect(await row.locator('[data-testid=verdict]').textContent()).toBe('counted once');
    expect(await row.textContent()).toContain('Lead');
    // One copy counted, its twin deduplicated against it.
    const statuses = await row.locator('[data-testid=copy-status]').allTextContents();
    expect(statuses.sort()).toEqual(['counted', 'deduplicated']);
    // Both copies carry the click ID (shown shortened in each copy's cell).
    expect(await row.locator(`code[title="${twclid}"]`).count()).toBe(2);
    expect(await page.locator('[data-testid=events-chart] rect').count()).toBeGreaterThan(0);
    // The live refresh keeps the counters in step with X.
    const counted = (await api.stats()).counted;
    await waitFor(
      'the dashboard to show the counted total',
      async () => (await page.textContent('[data-testid=counted]')) === String(counted),
    );
  });
});
