import { describe, expect, it } from 'vitest';
import { signedPost, validConversion } from '../test/helpers.ts';
import { createEmulator } from './app.ts';
import { EMULATOR_DEFAULTS as D } from './defaults.ts';
import { sha256Hex } from './hash.ts';
import { createLedger, type NewRecord } from './ledger.ts';

const T0 = Date.parse('2026-11-28T12:00:00.000Z');
const HOUR = 3_600_000;

function setup() {
  const emu = createEmulator({ now: () => T0 });
  const capi = async (overrides: Record<string, unknown> = {}) => {
    const { url, init } = signedPost(
      { conversions: [validConversion(overrides)] },
      { timestamp: T0 / 1000 },
    );
    const res = await emu.app.request(url, init);
    expect(res.status).toBe(200);
  };
  const pixel = async (
    eventId: string,
    params: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) => {
    const res = await emu.app.request('http://127.0.0.1:4000/_pixel/collect', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({
        v: 1,
        type: 'event',
        pixel_id: D.pixelId,
        event_id: eventId,
        params,
        ...extra,
      }),
    });
    expect(res.status).toBe(204);
  };
  return { emu, capi, pixel };
}

describe('deduplication as X describes it (same pixel, event and conversion_id within 48 h)', () => {
  it('counts a Pixel copy and a CAPI copy once, and shows them side by side', async () => {
    const { emu, capi, pixel } = setup();
    await pixel(
      `tw-${D.pixelId}-o87ne`,
      { conversion_id: 'order-1', email_address: ' Test@Twitter.com ' },
      { twclid: 'clk1', twclid_source: 'url' },
    );
    emu.clock.advance(47 * HOUR);
    await capi({ event_id: 'o87ne', conversion_id: 'order-1' });
    const [group, ...rest] = emu.state.conversions();
    expect(rest).toEqual([]);
    expect(group).toMatchObject({
      id: `${D.pixelId}/o87ne/order-1@${T0}`,
      eventId: 'o87ne',
      conversionId: 'order-1',
      verdict: 'counted_once',
      counted: 1,
      windowEndsAt: new Date(T0 + 48 * HOUR).toISOString(),
    });
    expect(group?.pixel[0]).toMatchObject({
      dedup: 'counted',
      twclid: 'clk1',
      twclidSource: 'url',
      // docs/x-api.md test vector: SHA-256 of test@twitter.com.
      hashedEmail: 'd360d510a224510f373931ce2d6215a799f5a9c1cef221b0149b6b6b50cced62',
    });
    expect(group?.capi[0]).toMatchObject({
      dedup: 'deduplicated',
      twclid: '23opevjt88psuo13lu8d020qkn',
    });
    expect(emu.state.stats()).toMatchObject({
      counted: 1,
      deduplicated: 1,
      accepted: { pixel: 1, capi: 1, total: 2 },
    });
  });

  it('counts twice when the second copy arrives after 48 hours', async () => {
    const { emu, capi, pixel } = setup();
    await pixel('o87ne', { conversion_id: 'order-1' }, { pixel_id: D.pixelId });
    emu.clock.advance(48 * HOUR + 1);
    await capi({ conversion_id: 'order-1' });
    const groups = emu.state.conversions();
    expect(groups.map((g) => g.verdict)).toEqual(['unmatched', 'unmatched']);
    expect(emu.state.stats()).toMatchObject({ counted: 2, deduplicated: 0 });
  });

  it('counts exactly at 48 hours as inside the window', async () => {
    const { emu, capi } = setup();
    await capi({ conversion_id: 'edge' });
    emu.clock.advance(48 * HOUR);
    await capi({ conversion_id: 'edge' });
    expect(emu.state.stats()).toMatchObject({ counted: 1, deduplicated: 1 });
  });

  it('counts two CAPI copies with the same key once (a retry)', async () => {
    const { emu, capi } = setup();
    await capi({ conversion_id: 'retry' });
    await capi({ conversion_id: 'retry', event_id: `tw-${D.pixelId}-o87ne` });
    const [group] = emu.state.conversions();
    expect(group?.capi.map((r) => r.dedup)).toEqual(['counted', 'deduplicated']);
    expect(group?.verdict).toBe('unmatched');
    expect(emu.state.stats().counted).toBe(1);
  });

  it('counts every copy without a conversion_id, and different events or IDs separately', async () => {
    const { emu, capi, pixel } = setup();
    await capi({ conversion_id: undefined });
    await capi({ conversion_id: undefined });
    await pixel('o87ne', {}, { pixel_id: D.pixelId });
    await capi({ conversion_id: 'x', event_id: 'o87ne' });
    await capi({ conversion_id: 'x', event_id: 'o87nf' });
    await capi({ conversion_id: 'y', event_id: 'o87ne' });
    expect(emu.state.stats()).toMatchObject({ counted: 6, deduplicated: 0 });
    expect(emu.state.conversions({ verdict: 'no_conversion_id' })).toHaveLength(3);
  });

  it('hashes raw Pixel email and phone on arrival and never stores the raw values', async () => {
    const { emu, pixel } = setup();
    await pixel(
      'o87ne',
      { conversion_id: 'p', email_address: 'jane@example.com', phone_number: '+1 (123) 456-7890' },
      { pixel_id: D.pixelId },
    );
    const [rec] = emu.state.events();
    // docs/x-api.md test vector: +11234567890.
    expect(rec?.hashedPhoneNumber).toBe(
      '1fa6b8d986d9b9cd01bf36951815158bbde9f520c0567c835dfe34783d0a4231',
    );
    expect(rec?.hashedEmail).toBe(sha256Hex('jane@example.com'));
    const stored = JSON.stringify(emu.state.events());
    expect(stored).not.toContain('jane@example.com');
    expect(stored).not.toContain('456-7890');
  });

  it('records a Pixel event for an unknown event as rejected, not counted', async () => {
    const { emu, pixel } = setup();
    await pixel('zzzzz', { conversion_id: 'q' }, { pixel_id: D.pixelId });
    const [rec] = emu.state.events();
    expect(rec).toMatchObject({
      validation: { ok: false, errors: [{ code: 'WEB_EVENT_TAG_NOT_FOUND' }] },
      dedup: 'not_counted',
    });
    expect(emu.state.stats()).toMatchObject({ counted: 0, rejected: { pixel: 1 } });
  });
});

describe('bounded memory, exact counts', () => {
  const record = (i: number): NewRecord => ({
    channel: 'capi',
    type: 'conversion',
    debugId: `d${i}`,
    httpStatus: 200,
    pixelId: 'p',
    accountId: 'a',
    eventId: 'e',
    eventKey: 'e',
    conversionId: `c${i % 50}`,
    conversionTime: null,
    twclid: null,
    twclidSource: null,
    hashedEmail: null,
    hashedPhoneNumber: null,
    ipAddress: null,
    userAgent: null,
    value: null,
    currency: null,
    numberItems: null,
    pageUrl: null,
    auth: { method: 'oauth', ok: true },
    validation: { ok: true, errors: [] },
    fault: null,
  });

  it('keeps the last maxEvents records and maxConversions groups; counters stay exact', () => {
    const ledger = createLedger({ dedupWindowMs: 1000, maxEvents: 10, maxConversions: 5 });
    for (let i = 0; i < 200; i++) ledger.add(record(i), i < 100 ? 0 : 2000, true);
    const events = ledger.events();
    expect(events).toHaveLength(10);
    expect(events.at(-1)?.seq).toBe(200);
    expect(ledger.conversions()).toHaveLength(5);
    // 50 distinct keys before the window rolls, 50 again after it: 100 counted, 100 deduplicated.
    expect(ledger.stats()).toMatchObject({
      counted: 100,
      deduplicated: 100,
      received: { total: 200 },
    });
    expect(ledger.events({ since: 195 }).map((e) => e.seq)).toEqual([196, 197, 198, 199, 200]);
  });

  it('reset forgets records, groups and counters', () => {
    const ledger = createLedger({ dedupWindowMs: 1000, maxEvents: 10, maxConversions: 5 });
    ledger.add(record(1), 0, true);
    ledger.reset();
    expect(ledger.events()).toEqual([]);
    expect(ledger.stats().counted).toBe(0);
    ledger.add(record(1), 0, true);
    expect(ledger.stats().counted).toBe(1);
  });
});
