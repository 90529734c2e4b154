import { createHash } from 'node:crypto';
import { CLICK_COOKIE } from '@twclid-kit/browser/contract';
import {
  type CapiConversion,
  memoryOutbox,
  silentLogger,
  type TwclidKit,
  twclidKit,
  type XClient,
} from '@twclid-kit/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SiteConfig } from '../pages/site.ts';
import type { DashboardView } from '../shared/dashboard-view.ts';
import { createDemoApp } from './app.tsx';
import type { EmulatorClient } from './emulator-client.ts';

const ORIGIN = 'http://shop.test';
const SITE: SiteConfig = {
  pixelId: 'o8z6j',
  events: { purchase: 'o87ne', lead: 'o87nf', signup: 'o87ng' },
  pixelSrc: 'http://127.0.0.1:9/uwt.js',
  kitMount: '/tw',
  emulatorUrl: 'http://127.0.0.1:9',
};
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

const EMPTY_VIEW: DashboardView = { now: 0, conversions: [], buckets: [] };

let kit: TwclidKit | undefined;
afterEach(async () => {
  await kit?.shutdown({ timeoutMs: 0 });
  kit = undefined;
});

/** The demo app over a real kit (memory outbox) whose X client records what it is sent. */
function setup(options: { emulator?: EmulatorClient; view?: DashboardView } = {}) {
  const sent: CapiConversion[] = [];
  const client: XClient = {
    async send(_pixelId, conversions) {
      sent.push(...conversions);
      return {
        ok: true,
        kind: 'ok',
        status: 200,
        conversionsProcessed: conversions.length,
        debugId: 'd-1',
      };
    },
  };
  kit = twclidKit({
    pixelId: SITE.pixelId,
    events: Object.values(SITE.events),
    store: memoryOutbox(),
    client,
    logger: silentLogger,
    ipRateLimit: false,
  });
  const dashboard = { view: vi.fn(async () => options.view ?? EMPTY_VIEW) };
  const app = createDemoApp({
    site: SITE,
    kit,
    dashboard,
    ...(options.emulator ? { emulator: options.emulator } : {}),
  });
  /** Sends what the outbox holds and returns the conversions X received. */
  const delivered = async () => {
    await kit?.flush();
    return sent;
  };
  return { app, kit, dashboard, delivered };
}

/** A form post as a browser sends it (with Content-Length, which browsers always set for forms). */
const form = (fields: Record<string, string>, cookie?: string) => {
  const body = new URLSearchParams(fields).toString();
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(body)),
      origin: ORIGIN,
      ...(cookie ? { cookie } : {}),
    },
    body,
  };
};

const json = (body: unknown, cookie?: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', origin: ORIGIN, ...(cookie ? { cookie } : {}) },
  body: JSON.stringify(body),
});

describe('pages', () => {
  it('a landing with ?twclid= gets the click cookie and the kit script tag', async () => {
    const { app } = setup();
    const response = await app.request(`${ORIGIN}/?twclid=abc123def`);
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toMatch(
      new RegExp(`^${CLICK_COOKIE}=1\\.\\d+\\.abc123def; Max-Age=7776000; Path=/; SameSite=Lax$`),
    );
    const html = await response.text();
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(
      '<script src="/assets/twclid.iife.js" data-pixel-id="o8z6j" data-endpoint="/tw/events" data-load-pixel="true" data-pixel-src="http://127.0.0.1:9/uwt.js" defer',
    );
    expect(html).toContain('<code data-testid="demo-twclid">abc123def</code>');
  });

  it('"simulate an ad click" sends the visitor to the landing page with a fresh X-shaped click ID', async () => {
    const { app } = setup();
    const first = await app.request(`${ORIGIN}/ad-click`);
    const second = await app.request(`${ORIGIN}/ad-click`);
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toMatch(/^\/\?twclid=[0-9a-z]{26}$/);
    expect(second.headers.get('location')).not.toBe(first.headers.get('location'));
  });

  it('the purchase form opts in with data-tw-event and posts to the checkout', async () => {
    const { app } = setup();
    const html = await (await app.request(`${ORIGIN}/shop/grinder`)).text();
    expect(html).toMatch(/<form[^>]*action="\/checkout"[^>]*data-tw-event="o87ne"/);
    expect(html).toContain('type="email" name="email"');
    expect(html).toContain('type="tel" name="phone"');
  });

  it('an unknown page is a 404 page, and an order reference is never echoed unchecked', async () => {
    const { app } = setup();
    expect((await app.request(`${ORIGIN}/nope`)).status).toBe(404);
    const thanks = await (
      await app.request(`${ORIGIN}/thank-you?flow=shop&order=<script>alert(1)</script>`)
    ).text();
    expect(thanks).not.toContain('<script>alert');
    expect(thanks).not.toContain('data-testid="order"');
  });
});

describe('flow A: POST /checkout behind the form middleware', () => {
  it('stores the CAPI copy with the form conversion_id, value and hashed identifiers, then redirects', async () => {
    const { app, delivered } = setup();
    const response = await app.request(
      `${ORIGIN}/checkout`,
      form(
        {
          sku: 'LUM-GRIND-01',
          quantity: '2',
          email: ' Ada@Example.COM ',
          phone: '+1 415 555 0100',
          twclid: 'clickfromform',
          conversion_id: '6f1c2a34-6d5e-4f70-9a1b-2c3d4e5f6a7b',
        },
        `${CLICK_COOKIE}=1.1700000000000.clickfromcookie`,
      ),
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(
      /^\/thank-you\?flow=shop&order=LUM-[A-Z0-9]{6}$/,
    );

    const [conversion, ...rest] = await delivered();
    expect(rest).toEqual([]);
    expect(conversion).toMatchObject({
      event_id: 'o87ne',
      conversion_id: '6f1c2a34-6d5e-4f70-9a1b-2c3d4e5f6a7b',
      value: '258.00',
      price_currency: 'USD',
      number_items: 2,
      contents: [{ content_id: 'LUM-GRIND-01', num_items: 2 }],
    });
    expect(conversion?.identifiers).toEqual(
      expect.arrayContaining([
        { twclid: 'clickfromform' },
        { hashed_email: sha256('ada@example.com') },
        { hashed_phone_number: sha256('+14155550100') },
      ]),
    );
  });

  it('a bad form answers 400 naming the field, and nothing reaches the outbox', async () => {
    const { app, kit } = setup();
    const response = await app.request(
      `${ORIGIN}/checkout`,
      form({ sku: 'LUM-GRIND-01', quantity: '1', email: 'not-an-email', conversion_id: 'c-1' }),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { code: 'invalid_input', field: 'email' },
    });
    expect((await kit.stats()).counters.accepted).toBe(0);
    const unknown = await app.request(
      `${ORIGIN}/checkout`,
      form({ sku: 'NOPE', quantity: '1', email: 'ada@example.com' }),
    );
    expect(await unknown.json()).toMatchObject({ error: { field: 'sku' } });
    expect((await kit.stats()).counters.accepted).toBe(0);
  });
});

describe('flow C: POST /api/club/join calls sendConversion after the payment', () => {
  const conversionId = '0b0e7a9c-3f2d-4c1b-8a6e-5d4c3b2a1f0e';

  it('a paid membership sends the page conversion_id with the click from the cookie', async () => {
    const { app, delivered } = setup();
    const response = await app.request(
      `${ORIGIN}/api/club/join`,
      json(
        { email: 'kath@example.net', card: '4242 4242 4242 4242', conversion_id: conversionId },
        `${CLICK_COOKIE}=1.1700000000000.clubclick`,
      ),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      next: expect.stringMatching(/^\/thank-you\?flow=club/),
    });
    const [conversion] = await delivered();
    expect(conversion).toMatchObject({
      event_id: 'o87ng',
      conversion_id: conversionId,
      value: '12.00',
    });
    expect(conversion?.identifiers).toEqual(
      expect.arrayContaining([
        { twclid: 'clubclick' },
        { hashed_email: sha256('kath@example.net') },
      ]),
    );
  });

  it('a declined card answers 402 and sends nothing', async () => {
    const { app, delivered, kit } = setup();
    const response = await app.request(
      `${ORIGIN}/api/club/join`,
      json({ email: 'kath@example.net', card: '4000 0000 0000 0002', conversion_id: conversionId }),
    );
    expect(response.status).toBe(402);
    expect(await response.json()).toMatchObject({
      error: { code: 'card_declined', field: 'card' },
    });
    expect((await kit.stats()).depth).toBe(0);
    expect(await delivered()).toEqual([]);
  });

  it.each([
    [{ email: 'kath@example.net', card: '4242', conversion_id: conversionId }, 'card'],
    [
      { email: 'kath@example.net', card: '4242 4242 4242 4242', conversion_id: 'order-1' },
      'conversion_id',
    ],
    [{ card: '4242 4242 4242 4242', conversion_id: conversionId }, 'email'],
  ])('bad input answers 400 naming the field (%#)', async (body, field) => {
    const { app } = setup();
    const response = await app.request(`${ORIGIN}/api/club/join`, json(body));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { field } });
  });

  it('a cross-site post is refused before any payment or conversion', async () => {
    const { app, kit } = setup();
    const response = await app.request(`${ORIGIN}/api/club/join`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://evil.test' },
      body: JSON.stringify({
        email: 'victim@example.com',
        card: '4242 4242 4242 4242',
        conversion_id: conversionId,
      }),
    });
    expect(response.status).toBe(403);
    expect((await kit.stats()).depth).toBe(0);
  });

  it('a body that is not JSON answers 400', async () => {
    const { app } = setup();
    const response = await app.request(`${ORIGIN}/api/club/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(response.status).toBe(400);
  });
});

describe('dashboard', () => {
  const view: DashboardView = {
    now: Date.parse('2026-01-01T10:00:00Z'),
    click: { twclid: 'dashclick', clickedAt: Date.parse('2026-01-01T09:59:30Z') },
    emulator: {
      url: 'http://127.0.0.1:9',
      totals: {
        received: 2,
        rejected: 0,
        counted: 1,
        deduplicated: 1,
        capiRequests: 2,
        faulted: 1,
      },
      serverErrorRate: 0.5,
    },
    conversions: [
      {
        eventId: 'o87ne',
        eventName: 'Purchase',
        conversionId: 'c-1',
        verdict: 'counted_once',
        firstAt: Date.parse('2026-01-01T09:59:40Z'),
        pixel: {
          at: Date.parse('2026-01-01T09:59:40Z'),
          twclid: 'dashclick',
          copies: 1,
          status: 'counted',
        },
        capi: {
          at: Date.parse('2026-01-01T09:59:41Z'),
          twclid: 'dashclick',
          copies: 1,
          status: 'deduplicated',
        },
      },
    ],
    outbox: {
      pending: 0,
      inFlight: 0,
      delivered: 1,
      dead: 0,
      debugIds: ['dbg-1'],
      pausedAccounts: [],
    },
    buckets: [{ start: Date.parse('2026-01-01T09:59:40Z'), pixel: 1, capi: 1, fault: 1 }],
  };

  it('renders the visitor click, the verdict, the outbox and the chart from the sources', async () => {
    const { app, dashboard } = setup({ view });
    const response = await app.request(`${ORIGIN}/dashboard/live`, {
      headers: { cookie: `${CLICK_COOKIE}=1.1767261570000.dashclick` },
    });
    const html = await response.text();
    expect(dashboard.view).toHaveBeenCalledWith({ twclid: 'dashclick', clickedAt: 1767261570000 });
    expect(html).toContain('<tr data-conversion-id="c-1">');
    expect(html).toMatch(/data-testid="verdict">counted once</);
    expect(html.match(/data-testid="copy-status">(\w+)</g)).toEqual([
      'data-testid="copy-status">counted<',
      'data-testid="copy-status">deduplicated<',
    ]);
    expect(html).toContain('<code>dbg-1</code>');
    expect(html).toMatch(/data-testid="counted">1</);
    expect(html.match(/<rect /g)).toHaveLength(3);
    // The switch shows the emulator's current fault rate as pressed.
    expect(html).toMatch(/aria-pressed="true"[^>]*>50% 5xx</);
  });

  it('POST /api/faults sets the emulator 5xx rate, validated', async () => {
    const setFaults = vi.fn(async (update: { serverErrorRate?: number }) => ({
      serverErrorRate: update.serverErrorRate ?? 0,
    }));
    const emulator = { setFaults } as unknown as EmulatorClient;
    const { app } = setup({ emulator });
    const ok = await app.request(`${ORIGIN}/api/faults`, json({ serverErrorRate: 1 }));
    expect(await ok.json()).toEqual({ serverErrorRate: 1 });
    expect(setFaults).toHaveBeenCalledWith({ serverErrorRate: 1 });
    const bad = await app.request(`${ORIGIN}/api/faults`, json({ serverErrorRate: 2 }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { field: 'serverErrorRate' } });
  });

  it('without an emulator there are no faults to inject', async () => {
    const { app } = setup();
    const response = await app.request(`${ORIGIN}/api/faults`, json({ serverErrorRate: 1 }));
    expect(response.status).toBe(404);
  });
});
