/** Drives the demo's pages through each conversion flow in a real browser page. */
import { createHash } from 'node:crypto';
import type { ConversionGroup } from '@twclid-kit/emulator';
import type { Page } from 'playwright-core';
import type { EmulatorApi } from './emulator-api.ts';
import { waitFor } from './wait-for.ts';

/** The hash X expects: SHA-256 of the trimmed, lowercased email (docs/x-api.md §1, Identifiers). */
export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export interface FlowRun {
  /** The conversion_id the page shared with the Pixel and the server. */
  conversionId: string;
  eventId: string;
}

/** A fresh ad click: opens the landing page with `?twclid=` the way X does. */
export async function landFromAd(page: Page, demoUrl: string, twclid: string): Promise<void> {
  await page.goto(`${demoUrl}/?twclid=${twclid}`);
}

/** Flow A: the purchase form (`data-tw-event`) posted to `/checkout`. */
export async function purchase(
  page: Page,
  demoUrl: string,
  email: string,
  phone: string,
): Promise<FlowRun> {
  await page.goto(`${demoUrl}/shop/grinder`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=phone]', phone);
  const posted = page.waitForRequest((r) => r.url().endsWith('/checkout') && r.method() === 'POST');
  await page.click('[data-testid=purchase-form] button[type=submit]');
  const form = new URLSearchParams((await posted).postData() ?? '');
  await page.waitForURL(/\/thank-you/);
  return { conversionId: form.get('conversion_id') ?? '', eventId: 'o87ne' };
}

/** Flow B: `twclidKit.track()` from the wholesale page's button. */
export async function requestWholesale(
  page: Page,
  demoUrl: string,
  email: string,
): Promise<FlowRun> {
  await page.goto(`${demoUrl}/wholesale`);
  await page.fill('input[name=company]', 'Corner Café');
  await page.fill('input[name=email]', email);
  await page.click('#lead-form button[type=submit]');
  const result = page.locator('[data-testid=lead-result][data-conversion-id]');
  await result.waitFor();
  return {
    conversionId: (await result.getAttribute('data-conversion-id')) ?? '',
    eventId: 'o87nf',
  };
}

/** Flow C: a simulated payment, then `sendConversion()` on the server. */
export async function joinClub(page: Page, demoUrl: string, email: string): Promise<FlowRun> {
  await page.goto(`${demoUrl}/club`);
  await page.fill('input[name=email]', email);
  const posted = page.waitForRequest((r) => r.url().endsWith('/api/club/join'));
  await page.click('#club-form button[type=submit]');
  const body = JSON.parse((await posted).postData() ?? '{}') as { conversion_id?: string };
  await page.waitForURL(/\/thank-you/);
  return { conversionId: body.conversion_id ?? '', eventId: 'o87ng' };
}

/** Waits until X (the emulator) has both copies of a conversion, then returns its groups. */
export async function bothCopies(api: EmulatorApi, conversionId: string, timeoutMs = 20_000) {
  return waitFor(
    `the Pixel and CAPI copies of ${conversionId}`,
    async () => {
      const groups = await api.conversions(conversionId);
      return groups.some((g) => g.pixel.length > 0 && g.capi.length > 0) ? groups : undefined;
    },
    { timeoutMs },
  );
}

/** What every flow must end with: one counted conversion, two copies, one ID, the right click and email. */
export function expectCountedOnce(
  groups: ConversionGroup[],
  run: FlowRun,
  twclid: string,
  email: string,
  expect: typeof import('vitest').expect,
): ConversionGroup {
  expect(groups).toHaveLength(1);
  const group = groups[0] as ConversionGroup;
  expect(group.verdict).toBe('counted_once');
  expect(group.eventId).toBe(run.eventId);
  expect(group.conversionId).toBe(run.conversionId);
  expect(group.pixel).toHaveLength(1);
  expect(group.capi).toHaveLength(1);
  for (const copy of [...group.pixel, ...group.capi]) {
    expect(copy.conversionId).toBe(run.conversionId);
    expect(copy.twclid).toBe(twclid);
    expect(copy.hashedEmail).toBe(sha256(email.trim().toLowerCase()));
  }
  // Whichever copy arrived first counted; the other was deduplicated against it.
  expect([group.pixel[0]?.dedup, group.capi[0]?.dedup].sort()).toEqual(['counted', 'deduplicated']);
  return group;
}
