/**
 * A 429 from X pauses the account only until X's reset, also when X's budget
 * is scaled down (the emulator's `eventsPerWindow` and `rateWindowMs`, as the
 * reliability suite runs it): the kit, which budgets X's full 60,000 events per
 * 15 minutes, over-sends once, is told the scaled reset, waits exactly that
 * long and delivers. The kit, the emulator and the reset headers share one
 * manual clock, so nothing sleeps.
 */
import { randomUUID } from 'node:crypto';
import { EMULATOR_DEFAULTS, type EmulatorHandle, startEmulator } from '@twclid-kit/emulator';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Timers } from '../src/dispatcher.ts';
import { type TwclidKit, twclidKit } from '../src/kit.ts';
import { memoryOutbox } from '../src/outbox-memory.ts';
import { memoryLogger } from './fakes.ts';

const PURCHASE = EMULATOR_DEFAULTS.events.purchase.id;
const TWCLID = '23opevjt88psuo13lu8d020qkn';
const WINDOW_MS = 60_000;
/** A whole second, so the reset headers' epoch seconds are exact. */
const T0 = Date.UTC(2026, 0, 1, 12);
const manualTimers: Timers = { setTimeout: () => 0, clearTimeout: () => {} };

describe('a 429 from a scaled-down X', () => {
  const clock = { t: T0 };
  let x: EmulatorHandle;
  let kit: TwclidKit;
  let app: Hono;
  beforeEach(async () => {
    clock.t = T0;
    x = await startEmulator({
      port: 0,
      eventsPerWindow: 5,
      rateWindowMs: WINDOW_MS,
      now: () => clock.t,
    });
    kit = twclidKit({
      pixelId: EMULATOR_DEFAULTS.pixelId,
      adAccountId: EMULATOR_DEFAULTS.accountId,
      auth: { kind: 'pixel-token', token: EMULATOR_DEFAULTS.pixelToken },
      baseUrl: x.url,
      version: EMULATOR_DEFAULTS.apiVersion,
      events: [PURCHASE],
      store: memoryOutbox(),
      logger: memoryLogger(),
      now: () => clock.t,
      timers: manualTimers,
      batchSize: 5,
    });
    app = new Hono();
    app.route('/tw', kit);
  });
  afterEach(async () => {
    await kit.shutdown({ timeoutMs: 1000 }).catch(() => {});
    await x.close();
  });

  const post = (n: number) =>
    Promise.all(
      Array.from({ length: n }, () =>
        app.request('http://shop.example/tw/events', {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: 'http://shop.example' },
          body: JSON.stringify({ event_id: PURCHASE, conversion_id: randomUUID(), twclid: TWCLID }),
        }),
      ),
    );

  it('pauses until the scaled window frees room, not 15 minutes, then delivers', async () => {
    // 4 of X's 5: with one left, X's headers do not stop the kit, a batch of 5 earns a 429.
    expect((await post(4)).map((r) => r.status)).toEqual([202, 202, 202, 202]);
    await kit.flush();
    expect(x.state.stats().counted).toBe(4);

    clock.t = T0 + 20_000;
    await post(5);
    await kit.flush();
    expect(x.state.stats().rateLimited).toBe(1);
    // X's reset: the first 4 events leave the window a minute after they were sent.
    expect((await kit.stats()).pausedAccounts).toMatchObject([
      { account: EMULATOR_DEFAULTS.accountId, status: 429, until: T0 + WINDOW_MS },
    ]);

    clock.t = T0 + WINDOW_MS - 1000;
    await kit.flush();
    expect(x.state.stats().requests.capi).toBe(2);

    clock.t = T0 + WINDOW_MS;
    await kit.flush();
    expect(x.state.stats()).toMatchObject({ counted: 9, rateLimited: 1 });
    expect((await kit.stats()).pausedAccounts).toEqual([]);
  });
});
