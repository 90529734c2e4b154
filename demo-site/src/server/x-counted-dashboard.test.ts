/**
 * The dashboard's "Did X count it?" panel over the emulator (real HTTP): the
 * demo's three flows reach X through the kit, then the panel shows each tag
 * TRACKING with what the kit sent, and per day (Los Angeles, the emulator's
 * default account time zone) sent vs what X says it attributed.
 */
import { EMULATOR_DEFAULTS as d, type EmulatorHandle, startEmulator } from '@twclid-kit/emulator';
import { memoryOutbox, silentLogger, type TwclidKit, twclidKit } from '@twclid-kit/server';
import { zonedDay } from '@twclid-kit/server/analytics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiteConfig } from '../pages/site.ts';
import type { DashboardView } from '../shared/dashboard-view.ts';
import { createDemoApp } from './app.tsx';
import { createDashboardSource } from './dashboard-source.ts';
import { createEmulatorClient } from './emulator-client.ts';
import { outboxView } from './outbox-view.ts';
import { createXCountedSource } from './x-counted.ts';

const ORIGIN = 'http://shop.test';
const EVENTS = {
  purchase: d.events.purchase.id,
  lead: d.events.lead.id,
  signup: d.events.signUp.id,
};

let x: EmulatorHandle;
let kit: TwclidKit;
beforeAll(async () => {
  x = await startEmulator({ port: 0, analytics: { attributionShare: 1 } });
});
afterAll(async () => {
  await kit?.shutdown({ timeoutMs: 0 });
  await x?.close();
});

describe('dashboard: did X count it?', { timeout: 60_000 }, () => {
  it('shows each tag TRACKING and sent vs attributed per day after the three flows', async () => {
    const store = memoryOutbox();
    const auth = {
      kind: 'oauth1' as const,
      consumerKey: d.consumerKey,
      consumerSecret: d.consumerSecret,
      accessToken: d.accessToken,
      accessTokenSecret: d.accessTokenSecret,
    };
    const xConfig = {
      baseUrl: x.url,
      version: d.apiVersion,
      pixelId: d.pixelId,
      adAccountId: d.accountId,
      auth,
      dbPath: ':memory:',
      port: 0,
    };
    kit = twclidKit({
      pixelId: d.pixelId,
      auth,
      baseUrl: x.url,
      version: d.apiVersion,
      adAccountId: d.accountId,
      events: Object.values(EVENTS),
      store,
      flushIntervalMs: 20,
      logger: silentLogger,
      ipRateLimit: false,
    });
    const counted = createXCountedSource({
      x: xConfig,
      store,
      events: Object.values(EVENTS),
      pollMs: 20,
    });
    const site: SiteConfig = {
      pixelId: d.pixelId,
      events: EVENTS,
      pixelSrc: `${x.url}/uwt.js`,
      kitMount: '/tw',
      emulatorUrl: x.url,
    };
    const emulator = createEmulatorClient(x.url);
    const app = createDemoApp({
      site,
      kit,
      dashboard: createDashboardSource({
        emulator,
        outbox: async () => outboxView(await kit.stats(), kit.dispatcher.state().batchesSent),
        xCounted: counted.current,
      }),
      emulator,
    });
    const headers = { origin: ORIGIN };
    const formBody = new URLSearchParams({
      sku: 'LUM-GRIND-01',
      quantity: '1',
      email: 'ada@example.com',
      conversion_id: 'a0000000-0000-4000-8000-00000000000a',
    }).toString();
    const a = await app.request(`${ORIGIN}/checkout`, {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': String(formBody.length),
      },
      body: formBody,
    });
    expect(a.status).toBe(303);
    const b = await app.request(`${ORIGIN}/tw/events`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        event_id: EVENTS.lead,
        conversion_id: 'b0000000-0000-4000-8000-00000000000b',
        email: 'bob@example.com',
      }),
    });
    expect(b.status).toBe(202);
    const c = await app.request(`${ORIGIN}/api/club/join`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'cy@example.com',
        card: '4242 4242 4242 4242',
        conversion_id: 'c0000000-0000-4000-8000-00000000000c',
      }),
    });
    expect(c.status).toBe(200);
    await kit.flush();
    await counted.refresh();

    const view = (await (await app.request(`${ORIGIN}/api/dashboard`)).json()) as DashboardView;
    expect(view.xCountedError).toBeUndefined();
    const tags = view.xCounted?.tags ?? [];
    expect(tags.map((t) => [t.id, t.status, t.delivered])).toEqual([
      [EVENTS.purchase, 'TRACKING', 1],
      [EVENTS.lead, 'TRACKING', 1],
      [EVENTS.signup, 'TRACKING', 1],
    ]);
    const today = zonedDay(Date.now(), 'America/Los_Angeles');
    const day = view.xCounted?.days.find((dv) => dv.day === today);
    const truth = (
      (await (await fetch(`${x.url}/_emulator/attributed`)).json()) as {
        days: { date: string; total: number }[];
      }
    ).days;
    expect(day).toMatchObject({
      delivered: 3,
      attributed: truth.filter((t) => t.date === today).reduce((n, t) => n + t.total, 0),
      provisional: true,
    });
    expect(day?.attributed).toBe(3); // attributionShare 1

    const html = await (await app.request(`${ORIGIN}/dashboard/live`)).text();
    expect(html).toContain('Did X count it?');
    expect(html).toContain(`data-tag="${EVENTS.purchase}" data-status="TRACKING"`);
    expect(html).toContain(`data-day="${today}" data-sent="3" data-attributed="3"`);
  });
});
