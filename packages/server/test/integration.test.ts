/**
 * The kit against the local X emulator over real HTTP: the route served by
 * @hono/node-server, the client posting to the emulator. Time is a manual
 * clock and the dispatcher's timers never fire on their own: each step is an
 * explicit `kit.flush()`, so nothing sleeps.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { EMULATOR_DEFAULTS, type EmulatorHandle, startEmulator } from '@twclid-kit/emulator';
import { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LEASE_MS_DEFAULT } from '../src/defaults.ts';
import type { Timers } from '../src/dispatcher.ts';
import { type TwclidKit, type TwclidKitOptions, twclidKit } from '../src/kit.ts';
import { memoryOutbox } from '../src/outbox-memory.ts';
import { sqliteOutbox } from '../src/outbox-sqlite.ts';
import { type MemoryLogger, memoryLogger } from './fakes.ts';

const PURCHASE = EMULATOR_DEFAULTS.events.purchase.id;
const TWCLID = '23opevjt88psuo13lu8d020qkn';
const dir = mkdtempSync(join(tmpdir(), 'twclid-int-'));

/** Timers that never fire: the test drives delivery with `kit.flush()`. */
const manualTimers: Timers = { setTimeout: () => 0, clearTimeout: () => {} };

let x: EmulatorHandle;
beforeAll(async () => {
  x = await startEmulator({ port: 0, unknownEventStatus: 400 });
});
afterAll(async () => {
  await x.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Site {
  kit: TwclidKit;
  logger: MemoryLogger;
  url: string;
  clock: { t: number };
  post(body: Record<string, unknown>, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

const open: Site[] = [];
afterEach(async () => {
  for (const site of open.splice(0)) await site.close();
  x.state.reset();
  x.setFaults({ serverErrorRate: 0, rateLimitRate: 0, timeoutRate: 0 });
});

async function site(overrides: Partial<TwclidKitOptions> = {}): Promise<Site> {
  const clock = { t: Date.now() };
  const logger = memoryLogger();
  const kit = twclidKit({
    pixelId: EMULATOR_DEFAULTS.pixelId,
    adAccountId: EMULATOR_DEFAULTS.accountId,
    auth: { kind: 'pixel-token', token: EMULATOR_DEFAULTS.pixelToken },
    baseUrl: x.url,
    version: EMULATOR_DEFAULTS.apiVersion,
    events: [PURCHASE],
    store: memoryOutbox(),
    logger,
    now: () => clock.t,
    timers: manualTimers,
    retry: { backoff: { baseMs: 1000, jitter: 0 } },
    ...overrides,
  });
  const app = new Hono();
  app.route('/tw', kit);
  const server = await new Promise<Server>((done) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
      done(s as Server),
    ) as Server;
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const result: Site = {
    kit,
    logger,
    url,
    clock,
    post: (body, headers = {}) =>
      fetch(`${url}/tw/events`, {
        method: 'POST',
        headers: {
          'content-type': 'text/plain;charset=UTF-8',
          origin: url,
          'user-agent': 'Mozilla/5.0 (int)',
          ...headers,
        },
        body: JSON.stringify({
          event_id: PURCHASE,
          twclid: TWCLID,
          email: 'test@twitter.com',
          ...body,
        }),
      }),
    async close() {
      await kit.shutdown({ timeoutMs: 2000 }).catch(() => {});
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
  open.push(result);
  return result;
}

const capiCopies = () => x.state.stats().accepted.capi;
// Conversion IDs of the browser's form: random (version 4) UUIDs, all the public route takes unsigned.
const DUP = 'd0000000-0000-4000-8000-000000000001';
const split = (i: number) => `5b000000-0000-4000-8000-00000000000${i}`;

describe('twclidKit against the X emulator', () => {
  it("delivers an accepted event once, with the request's IP and UA; a duplicate is enqueued once", async () => {
    const s = await site();
    const first = await s.post({ conversion_id: DUP });
    expect(first.status).toBe(202);
    const again = await s.post({ conversion_id: DUP });
    // The public answer to a repeat is the first one's (docs/product.md, Safety: Trust).
    expect(await again.json()).toEqual({ conversion_id: DUP });
    await s.kit.flush();
    expect(capiCopies()).toBe(1);
    const [group] = x.state.conversions({ conversionId: DUP });
    expect(group?.capi).toHaveLength(1);
    expect(JSON.stringify(group)).toContain('127.0.0.1');
    expect((await s.kit.stats()).delivered).toBe(1);
    // The send was logged with its count, status and X's debug_id; no secret or raw email.
    const lines = s.logger.lines.filter((l) => l.message === 'x.send');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        fields: expect.objectContaining({ events: 1, status: 200, debugId: expect.any(String) }),
      }),
    ]);
    expect(s.logger.text()).not.toContain(EMULATOR_DEFAULTS.pixelToken);
    expect(s.logger.text()).not.toContain('test@twitter.com');
  });

  it('retries after a 5xx and the conversion is delivered (and counted) once', async () => {
    const s = await site();
    x.setFaults({ serverErrorRate: 1 });
    await s.post({ conversion_id: 'a0000000-0000-4000-8000-000000000001' });
    await s.kit.flush();
    expect(x.state.stats().faults.server_error).toBe(1);
    expect(await s.kit.stats()).toMatchObject({ pending: 1, delivered: 0 });
    x.setFaults({ serverErrorRate: 0 });
    await s.kit.flush(); // not due yet: backoff 1 s
    expect(x.state.stats().requests.capi).toBe(1);
    s.clock.t += 1000;
    await s.kit.flush();
    expect(x.state.stats()).toMatchObject({ counted: 1, accepted: { capi: 1 } });
    expect(await s.kit.stats()).toMatchObject({ pending: 0, delivered: 1 });
  });

  it('pauses the account on 429 until the reset, then delivers', async () => {
    const s = await site();
    x.setFaults({ rateLimitRate: 1, retryAfterSeconds: 30 });
    s.clock.t = Date.now();
    await s.post({ conversion_id: 'a0000000-0000-4000-8000-000000000002' });
    await s.kit.flush();
    expect((await s.kit.stats()).pausedAccounts).toMatchObject([
      { account: EMULATOR_DEFAULTS.accountId, status: 429 },
    ]);
    x.setFaults({ rateLimitRate: 0 });
    s.clock.t += 29_000;
    await s.kit.flush();
    expect(x.state.stats().requests.capi).toBe(1);
    // X's reset header is in real epoch seconds; leave room for the real time this test took.
    s.clock.t += 5_000;
    await s.kit.flush();
    expect(x.state.stats().requests.capi).toBe(2);
    expect(capiCopies()).toBe(1);
    expect((await s.kit.stats()).pausedAccounts).toEqual([]);
  });

  it("splits a 400 batch: only the bad event is dead-lettered, with X's message; the rest is delivered", async () => {
    // `zzzzz` passes the kit's allow-list but is no event of the emulator's pixel.
    const s = await site({ events: [PURCHASE, 'zzzzz'] });
    for (const [i, event] of [PURCHASE, PURCHASE, 'zzzzz', PURCHASE].entries()) {
      expect((await s.post({ event_id: event, conversion_id: split(i) })).status).toBe(202);
    }
    await s.kit.flush();
    expect(capiCopies()).toBe(3);
    const dead = await s.kit.store.deadLetters();
    expect(dead.map((e) => e.conversion.conversion_id)).toEqual([split(2)]);
    expect(dead[0]?.lastError).toMatch(/^X rejected the conversion: \w+.*zzzzz/);
    expect(await s.kit.stats()).toMatchObject({ delivered: 3, dead: 1, pending: 0 });
  });

  it('does not forward an event under Sec-GPC: 1', async () => {
    const s = await site();
    const res = await s.post(
      { conversion_id: 'a0000000-0000-4000-8000-000000000003' },
      { 'sec-gpc': '1' },
    );
    expect(await res.json()).toEqual({ suppressed: true });
    await s.kit.flush();
    expect(x.state.stats().requests.capi).toBe(0);
    expect((await s.kit.stats()).counters.suppressed).toBe(1);
  });

  it('re-delivers events left in flight by a killed process (SQLite file, new store instance)', async () => {
    const db = join(dir, 'killed.db');
    x.setFaults({ timeoutRate: 1 }); // X never answers: the child's batch stays in flight
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        resolve(dirname(fileURLToPath(import.meta.url)), 'fixtures/send-then-hang.ts'),
      ],
      {
        env: { ...process.env, TWCLID_KIT_DB: db, EMULATOR_URL: x.url, EVENTS: '3' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await new Promise<void>((done, fail) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('IN_FLIGHT 3')) done();
      });
      child.once('exit', (code) => fail(new Error(`child exited early (${code}): ${out}`)));
    });
    child.kill('SIGKILL');
    await new Promise((done) => child.once('exit', done));
    x.setFaults({ timeoutRate: 0 });
    x.state.reset();

    const store = sqliteOutbox({ path: db });
    expect(await store.stats(Date.now())).toMatchObject({ inFlight: 3, delivered: 0 });
    const s = await site({ store });
    await s.kit.start();
    await s.kit.flush();
    // The killed process's lease still holds (it could be a live process sharing the file).
    expect(capiCopies()).toBe(0);
    s.clock.t += LEASE_MS_DEFAULT;
    await s.kit.flush();
    expect(capiCopies()).toBe(3);
    expect(await s.kit.stats()).toMatchObject({ inFlight: 0, pending: 0, delivered: 3 });
  }, 30_000);
});
