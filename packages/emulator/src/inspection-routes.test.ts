import { describe, expect, it } from 'vitest';
import { BASE, signedPost, validConversion } from '../test/helpers.ts';
import { createEmulator } from './app.ts';
import { EMULATOR_DEFAULTS as D } from './defaults.ts';
import { FAULTS_NONE } from './faults.ts';

const T0 = Date.parse('2026-11-28T12:00:00.000Z');

async function seeded() {
  const emu = createEmulator({ now: () => T0 });
  const { url, init } = signedPost(
    {
      conversions: [
        validConversion({ conversion_id: 'o-1' }),
        validConversion({ conversion_id: 'o-2', event_id: 'o87nf' }),
      ],
    },
    { timestamp: T0 / 1000 },
  );
  expect((await emu.app.request(url, init)).status).toBe(200);
  await emu.app.request(`${BASE}/_pixel/collect`, {
    method: 'POST',
    body: JSON.stringify({
      v: 1,
      type: 'event',
      pixel_id: D.pixelId,
      event_id: 'o87ne',
      params: { conversion_id: 'o-1' },
    }),
  });
  await emu.app.request(`${BASE}/_pixel/collect`, {
    method: 'POST',
    body: JSON.stringify({ v: 1, type: 'config', pixel_id: D.pixelId }),
  });
  const get = async (path: string) => {
    const res = await emu.app.request(`${BASE}${path}`, {
      headers: { origin: 'http://127.0.0.1:3000' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    // biome-ignore lint/suspicious/noExplicitAny: JSON asserted field by field.
    return { status: res.status, json: (await res.json()) as any };
  };
  return { emu, get };
}

describe('inspection API (/_emulator)', () => {
  it('GET /_emulator/events lists copies with auth, validation and dedup status; filters and polls', async () => {
    const { get } = await seeded();
    const all = await get('/_emulator/events');
    expect(all.json.events).toHaveLength(4);
    expect(all.json.lastSeq).toBe(4);
    expect(all.json.events[0]).toMatchObject({
      seq: 1,
      channel: 'capi',
      auth: { method: 'oauth', ok: true },
      validation: { ok: true, errors: [] },
      dedup: 'counted',
      receivedAt: new Date(T0).toISOString(),
    });
    expect(
      (await get('/_emulator/events?channel=pixel')).json.events.map((e: { seq: number }) => e.seq),
    ).toEqual([3, 4]);
    expect((await get('/_emulator/events?type=page_view')).json.events).toHaveLength(1);
    expect(
      (await get('/_emulator/events?since=2')).json.events.map((e: { seq: number }) => e.seq),
    ).toEqual([3, 4]);
    expect((await get('/_emulator/events?since=4')).json).toEqual({ events: [], lastSeq: 4 });
    expect((await get('/_emulator/events?conversion_id=o-1')).json.events).toHaveLength(2);
    expect(
      (await get(`/_emulator/events?event_id=tw-${D.pixelId}-o87nf`)).json.events,
    ).toHaveLength(1);
    expect((await get('/_emulator/events?limit=1')).json.events[0].seq).toBe(4);
    expect(await get('/_emulator/events?limit=-1')).toEqual({
      status: 400,
      json: { error: { field: 'limit', message: 'limit must be a non-negative integer' } },
    });
    expect((await get('/_emulator/events?channel=tv')).status).toBe(400);
  });

  it('GET /_emulator/conversions groups copies with a verdict', async () => {
    const { get } = await seeded();
    const { json } = await get('/_emulator/conversions');
    expect(
      json.conversions.map((g: { conversionId: string; verdict: string }) => [
        g.conversionId,
        g.verdict,
      ]),
    ).toEqual([
      ['o-1', 'counted_once'],
      ['o-2', 'unmatched'],
    ]);
    expect(json.conversions[0].capi).toHaveLength(1);
    expect(json.conversions[0].pixel[0]).toMatchObject({ dedup: 'deduplicated' });
    expect((await get('/_emulator/conversions?verdict=unmatched')).json.conversions).toHaveLength(
      1,
    );
    expect(
      (await get('/_emulator/conversions?conversion_id=o-2')).json.conversions[0].eventId,
    ).toBe('o87nf');
    expect((await get('/_emulator/conversions?verdict=maybe')).status).toBe(400);
  });

  it('GET /_emulator/stats counts received, accepted, rejected, deduplicated and counted', async () => {
    const { get } = await seeded();
    expect((await get('/_emulator/stats')).json).toEqual({
      requests: { capi: 1, pixel: 2 },
      received: { capi: 2, pixel: 1, total: 3 },
      accepted: { capi: 2, pixel: 1, total: 3 },
      rejected: { capi: 0, pixel: 0, total: 0 },
      pageViews: 1,
      deduplicated: 1,
      counted: 2,
      authFailures: 0,
      rateLimited: 0,
      faults: { server_error: 0, rate_limited: 0, timeout: 0, dropped: 0, slowed: 0 },
    });
  });

  it('POST /_emulator/reset forgets everything received', async () => {
    const { emu, get } = await seeded();
    const res = await emu.app.request(`${BASE}/_emulator/reset`, { method: 'POST' });
    expect(await res.json()).toEqual({ ok: true });
    expect((await get('/_emulator/stats')).json.counted).toBe(0);
    expect((await get('/_emulator/events')).json.events).toEqual([]);
  });

  it('GET/PUT /_emulator/faults reads and changes faults at run time, naming a bad field', async () => {
    const { emu, get } = await seeded();
    expect((await get('/_emulator/faults')).json).toEqual(FAULTS_NONE);
    const put = (body: string) =>
      emu.app.request(`${BASE}/_emulator/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body,
      });
    const ok = await put(JSON.stringify({ serverErrorRate: 1 }));
    expect(await ok.json()).toMatchObject({ serverErrorRate: 1 });
    expect(emu.faults().serverErrorRate).toBe(1);
    const bad = await put(JSON.stringify({ timeoutRate: 2 }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: {
        field: 'timeoutRate',
        message: 'faults.timeoutRate: must be a number between 0 and 1',
      },
    });
    expect((await put('{')).status).toBe(400);
    const { url, init } = signedPost(
      { conversions: [validConversion()] },
      { timestamp: T0 / 1000 },
    );
    expect((await emu.app.request(url, init)).status).toBeGreaterThanOrEqual(500);
  });

  it('GET/POST /_emulator/clock reads, advances and sets X’s time', async () => {
    const { emu, get } = await seeded();
    expect((await get('/_emulator/clock')).json).toEqual({
      now: new Date(T0).toISOString(),
      nowMs: T0,
      offsetMs: 0,
    });
    const post = (body: unknown) =>
      emu.app.request(`${BASE}/_emulator/clock`, { method: 'POST', body: JSON.stringify(body) });
    expect(await (await post({ advanceMs: 3_600_000 })).json()).toMatchObject({
      nowMs: T0 + 3_600_000,
      offsetMs: 3_600_000,
    });
    expect(await (await post({ set: '2027-01-01T00:00:00.000Z' })).json()).toMatchObject({
      now: '2027-01-01T00:00:00.000Z',
    });
    expect((await post({ advanceMs: 'soon' })).status).toBe(400);
    expect((await post({ set: 'tomorrow' })).status).toBe(400);
    expect((await post({})).status).toBe(400);
  });

  it('GET /_emulator/config describes accounts, pixels, events and users without secrets', async () => {
    const { get } = await seeded();
    const { json } = await get('/_emulator/config');
    expect(json.accounts).toEqual([
      {
        id: D.accountId,
        pixels: [
          {
            id: D.pixelId,
            events: [
              { id: 'o87ne', name: 'Purchase' },
              { id: 'o87nf', name: 'Lead' },
              { id: 'o87ng', name: 'Sign up' },
            ],
          },
        ],
      },
    ]);
    expect(json.limits).toMatchObject({ eventsPerWindow: 60000, dedupWindowMs: 172800000 });
    expect(JSON.stringify(json)).not.toContain(D.consumerSecret);
  });

  it('answers unknown routes with an X-shaped ROUTE_NOT_FOUND', async () => {
    const { emu } = await seeded();
    const res = await emu.app.request(`${BASE}/12/nothing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ errors: [{ code: 'ROUTE_NOT_FOUND' }] });
  });
});
