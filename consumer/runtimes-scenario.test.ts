/**
 * `npm run test:runtimes`: one scenario on every runtime Hono users deploy to.
 * The server README's examples (packages/server/examples/, copied verbatim
 * into an app that installed the packed tarballs) run on plain Node, Bun,
 * Deno and workerd (through Miniflare, on the registry's Node 26); X is the
 * emulator on Node. On each: a click captured, a form post, a `track()` JSON
 * post and a `sendConversion()` call are each delivered exactly once with the
 * visitor's twclid, hashed email, IP address and user agent, without any later
 * request; then X answers 5xx and the conversion arrives on the retry (on
 * workerd through the Cron Trigger's scheduled() handler).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorApi } from '../e2e/demo/emulator-api.ts';
import { type ConsumerApp, consumerApp } from './lib/app.ts';
import { type RunningEmulator, startEmulatorBin } from './lib/emulator.ts';
import { type Service, startService, stopAll } from './lib/exec.ts';
import { ALL_RUNTIMES, BUN, DENO, MINIFLARE, NODE_LTS } from './lib/specs.ts';

const EXAMPLES = fileURLToPath(new URL('../packages/server/examples/', import.meta.url));
const TWCLID = '26l6412g5p4iyj65a2oic2ayg2';
const UA = 'Mozilla/5.0 (runtime scenario)';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let app: ConsumerApp;
let emulator: RunningEmulator;
let x: ReturnType<typeof emulatorApi>;
/** The X settings for the examples: the emulator's URL and pixel token. */
let settings: Record<string, string>;

beforeAll(async () => {
  app = await consumerApp('all-runtimes', ALL_RUNTIMES);
  for (const file of ['node.mjs', 'bun.mjs', 'deno.mjs', 'worker.mjs', 'wrangler.jsonc']) {
    app.write(file, readFileSync(`${EXAMPLES}${file}`, 'utf8'));
  }
  app.copyFixture('workers');
  emulator = await startEmulatorBin(app);
  x = emulatorApi(emulator.url);
  // configFromEnv wants one auth method; the pixel token is the simpler one.
  settings = Object.fromEntries(
    Object.entries(emulator.settings).filter(
      ([key]) => !/^X_(CONSUMER|ACCESS)_/.test(key) && key !== 'X_AD_ACCOUNT_ID',
    ),
  );
});

afterAll(async () => {
  await stopAll();
});

interface Runtime {
  name: string;
  start(): Service;
  /** What delivers a retry that came due (nothing on runtimes with timers). */
  tick?(base: string): Promise<void>;
}

const denoEnv = () => app.env({ DENO_DIR: app.path('.deno'), DENO_NO_UPDATE_CHECK: '1' });

const RUNTIMES: Runtime[] = [
  {
    name: `Node ${process.version} (@hono/node-server)`,
    start: () =>
      startService('node', process.execPath, ['node.mjs'], {
        cwd: app.dir,
        env: app.env({ ...settings, PORT: '0' }),
      }),
  },
  {
    name: `Bun (${BUN}, Bun.serve)`,
    start: () =>
      startService('bun', app.path('node_modules/.bin/bun'), ['bun.mjs'], {
        cwd: app.dir,
        env: app.env({ ...settings, PORT: '0', DO_NOT_TRACK: '1' }),
      }),
  },
  {
    name: `Deno (${DENO}, Deno.serve)`,
    start: () =>
      startService(
        'deno',
        app.path('node_modules/.bin/deno'),
        [
          'run',
          '--allow-net',
          '--allow-env',
          '--allow-read',
          '--allow-write',
          '--node-modules-dir=manual',
          'deno.mjs',
        ],
        { cwd: app.dir, env: { ...denoEnv(), ...settings, PORT: '0' } },
      ),
  },
  {
    name: `workerd (${MINIFLARE} on ${NODE_LTS})`,
    start: () =>
      startService('workerd', app.path('node_modules/.bin/node'), ['run-worker.mjs'], {
        cwd: app.dir,
        env: app.env({ WORKER_VARS: JSON.stringify(settings) }),
      }),
    // The Cron Trigger, as `wrangler dev --test-scheduled` exposes it.
    async tick(base) {
      const response = await fetch(`${base}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*`);
      expect(response.status).toBe(200);
    },
  },
];

/** Polls `check` until it returns a value (or the time is up: then its last error). */
async function eventually<T>(check: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each(RUNTIMES)('the README example on $name', (runtime) => {
  let service: Service;
  let base: string;
  let cookie: string;
  const run = `${runtime.name.split(' ')[0]?.toLowerCase()}-${Date.now().toString(36)}`;
  // The public /events route takes random (version 4) UUIDs unsigned: one per step and run.
  const cid = (step: string) => {
    const h = createHash('sha256').update(`${run}-${step}`).digest('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  };
  const email = `ann.${run}@example.com`;
  const headers = (extra: Record<string, string> = {}) => ({
    origin: base,
    'user-agent': UA,
    ...(cookie ? { cookie } : {}),
    ...extra,
  });

  /** What X received for `conversionId`: delivered exactly once, with the visitor's identifiers. */
  async function expectDeliveredOnce(conversionId: string) {
    const accepted = await eventually(async () => {
      const events = await x.events(`?conversion_id=${encodeURIComponent(conversionId)}`);
      const ok = events.filter((e) => e.httpStatus === 200);
      return ok.length > 0 ? ok : undefined;
    });
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({
      channel: 'capi',
      eventKey: 'o87ne',
      conversionId,
      twclid: TWCLID,
      hashedEmail: sha256(email),
      ipAddress: '127.0.0.1',
      userAgent: UA,
    });
  }

  beforeAll(async () => {
    service = runtime.start();
    const [, url = ''] = await service.waitForOutput(/listening on (http:\/\/\S+)/, 60_000);
    // Every visitor comes from IPv4 loopback, whatever address the server printed.
    base = url.replace(/\/\/[^/:]+|\/\/\[[^\]]+\]/, '//127.0.0.1');
    cookie = '';
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('captures the click: 204 with the click cookie', async () => {
    const response = await fetch(`${base}/tw/capture`, {
      method: 'POST',
      headers: headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ twclid: TWCLID }),
    });
    expect(response.status, service.output()).toBe(204);
    cookie = response.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    expect(cookie).toContain(TWCLID);
  });

  it('a form post (kit.form) is delivered once, without a later request', async () => {
    const response = await fetch(`${base}/signup`, {
      method: 'POST',
      redirect: 'manual',
      headers: headers({ 'content-type': 'application/x-www-form-urlencoded' }),
      body: new URLSearchParams({ email, conversion_id: cid('form') }),
    });
    expect(response.status, service.output()).toBe(303);
    await expectDeliveredOnce(cid('form'));
  });

  it('a track() JSON post (/tw/events) is delivered once', async () => {
    const response = await fetch(`${base}/tw/events`, {
      method: 'POST',
      headers: headers({ 'content-type': 'text/plain;charset=UTF-8' }),
      body: JSON.stringify({ event_id: 'o87ne', conversion_id: cid('track'), email }),
    });
    expect(response.status, service.output()).toBe(202);
    await expectDeliveredOnce(cid('track'));
  });

  it('sendConversion() from an app route is delivered once', async () => {
    const response = await fetch(`${base}/api/pay`, {
      method: 'POST',
      headers: headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ email, conversion_id: cid('pay') }),
    });
    expect(response.status, service.output()).toBe(200);
    await expectDeliveredOnce(cid('pay'));
  });

  it('X answers 5xx: the conversion arrives once on the retry', async () => {
    await x.setFaults({ serverErrorRate: 1 });
    try {
      const response = await fetch(`${base}/tw/events`, {
        method: 'POST',
        headers: headers({ 'content-type': 'application/json' }),
        body: JSON.stringify({ event_id: 'o87ne', conversion_id: cid('retry'), email }),
      });
      expect(response.status, service.output()).toBe(202);
      await eventually(async () => {
        const events = await x.events(`?conversion_id=${cid('retry')}`);
        return events.some((e) => (e.httpStatus ?? 0) >= 500) ? true : undefined;
      });
    } finally {
      await x.setFaults({ serverErrorRate: 0 });
    }
    const delivered = eventually(async () => {
      const events = await x.events(`?conversion_id=${cid('retry')}`);
      return events.some((e) => e.httpStatus === 200) ? true : undefined;
    });
    if (runtime.tick) {
      // Cron Triggers fire every minute; here every half second until the retry is due.
      let done = false;
      void delivered.then(() => {
        done = true;
      });
      for (let tick = 0; !done && tick < 40; tick++) {
        await runtime.tick(base);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    await delivered;
    await expectDeliveredOnce(cid('retry'));
  });
});
