/**
 * The dashboard's emulator client against the real emulator app (in process,
 * through `app.request()`), so a change in the inspection API's JSON shows up
 * here and not as an empty dashboard.
 */
import { createEmulator, EMULATOR_DEFAULTS } from '@twclid-kit/emulator';
import { buildConversionOrThrow, createXClient } from '@twclid-kit/server';
import { describe, expect, it } from 'vitest';
import { createEmulatorClient } from './emulator-client.ts';

const BASE = 'http://emulator.test';

function setup() {
  const emulator = createEmulator();
  const viaApp = ((input: RequestInfo | URL, init?: RequestInit) =>
    emulator.app.request(input instanceof Request ? input : String(input), init)) as typeof fetch;
  const x = createXClient({
    baseUrl: BASE,
    auth: { kind: 'pixel-token', token: EMULATOR_DEFAULTS.pixelToken },
    fetch: viaApp,
  });
  return { emulator, x, client: createEmulatorClient(BASE, viaApp) };
}

describe('createEmulatorClient', () => {
  it('recognises an emulator, and not an Ads API without the inspection routes', async () => {
    const { client } = setup();
    expect(await client.probe()).toBe(true);
    const notFound = (async () => new Response('not found', { status: 404 })) as typeof fetch;
    expect(await createEmulatorClient(BASE, notFound).probe()).toBe(false);
    const offline = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    expect(await createEmulatorClient(BASE, offline).probe()).toBe(false);
  });

  it('reads the stats, conversions, copies and event names the emulator records', async () => {
    const { x, client } = setup();
    const conversion = buildConversionOrThrow(
      { eventId: 'o87ne', conversionId: 'order-1', email: 'ada@example.com', twclid: 'clickabc' },
      { pixelId: EMULATOR_DEFAULTS.pixelId },
    );
    const outcome = await x.send(EMULATOR_DEFAULTS.pixelId, [conversion]);
    expect(outcome.ok).toBe(true);

    const stats = await client.stats();
    expect(stats.counted).toBe(1);
    expect(stats.requests.capi).toBe(1);
    const [group] = await client.conversions(10);
    expect(group).toMatchObject({
      eventId: 'o87ne',
      conversionId: 'order-1',
      verdict: 'unmatched',
    });
    expect(group?.capi[0]).toMatchObject({ twclid: 'clickabc', channel: 'capi', httpStatus: 200 });
    const [copy] = await client.events(10);
    expect(copy?.debugId).toBe(outcome.ok ? outcome.debugId : '');
    expect(await client.eventNames()).toEqual(
      expect.arrayContaining([
        { id: 'o87ne', name: 'Purchase' },
        { id: 'o87nf', name: 'Lead' },
      ]),
    );
  });

  it('reads and sets the fault rate, and reports a refused update', async () => {
    const { client } = setup();
    expect((await client.faults()).serverErrorRate).toBe(0);
    expect((await client.setFaults({ serverErrorRate: 1 })).serverErrorRate).toBe(1);
    expect((await client.faults()).serverErrorRate).toBe(1);
    await expect(client.setFaults({ serverErrorRate: 2 })).rejects.toThrow(/HTTP 400/);
  });
});
