/**
 * The README's app for several instances (examples/postgres.mjs), run verbatim
 * as two `node` processes on one real PostgreSQL (a database of its own)
 * against the emulator, with X's budget scaled down there and
 * `TWCLID_KIT_X_BUDGET` set to match. Conversions posted round-robin for
 * several windows are each counted once, the emulator answers no 429, and no
 * window by its clock holds more than the limit: the two instances spend from
 * one budget (docs/x-api.md §2, README "Running several instances").
 *
 * The example imports `@twclid-kit/server` from the built dist/ (`npm test`
 * builds it; alone: `npm run build -w @twclid-kit/server` first).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { EMULATOR_DEFAULTS, type EmulatorHandle, startEmulator } from '@twclid-kit/emulator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgUrl } from './db.ts';

const EXAMPLE = new URL('../../examples/postgres.mjs', import.meta.url);
const BUILT = new URL('../../dist/postgres.js', import.meta.url);
const d = EMULATOR_DEFAULTS;
/** X's budget scaled from 60,000 / 15 min so a run spans several windows in seconds. */
const LIMIT = 40;
const WINDOW_MS = 2000;
/** Conversions posted: six windows' worth. */
const EVENTS = LIMIT * 6;
/** Of them, posted by the browser route: under the kit's per-IP limit (60 a minute) per instance. */
const BROWSER_EVENTS = 40;
const TWCLID = '26l8n4ylnunvcw26b5jcjnrl3b';

interface Instance {
  child: ChildProcess;
  port: number;
  output: string[];
  exited: Promise<void>;
}

/** Starts the example with `env`; resolves once it prints the port it listens on. */
function startInstance(env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, [EXAMPLE.pathname], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no port in 20 s: ${output.join('')}`)),
      20_000,
    );
    const read = (chunk: Buffer) => {
      output.push(chunk.toString());
      const port = /listening on http:\/\/localhost:(\d+)/.exec(output.join(''))?.[1];
      if (port) {
        clearTimeout(timer);
        resolve({ child, port: Number(port), output, exited });
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the example exited with ${code}: ${output.join('')}`));
    });
  });
}

/** The most events in any `windowMs` starting at a request (exact for a rolling window). */
function maxInAnyWindow(requests: readonly { at: number; count: number }[], windowMs: number) {
  let max = 0;
  let sum = 0;
  let tail = 0;
  for (const r of requests) {
    sum += r.count;
    while ((requests[tail]?.at ?? r.at) <= r.at - windowMs) sum -= requests[tail++]?.count ?? 0;
    max = Math.max(max, sum);
  }
  return max;
}

/** Each request X received (any answer), by its debug ID, in order of arrival. */
function requestsAt(emulator: EmulatorHandle) {
  const byDebugId = new Map<string, { at: number; count: number }>();
  for (const r of emulator.state.events({ channel: 'capi' })) {
    const req = byDebugId.get(r.debugId);
    if (req) req.count++;
    else byDebugId.set(r.debugId, { at: Date.parse(r.receivedAt), count: 1 });
  }
  return [...byDebugId.values()].sort((a, b) => a.at - b.at);
}

/** Posts conversion `i` to `instance`: a browser post, or the app's own `/api/pay` route. */
async function post(instance: Instance, i: number, conversionId: string): Promise<number> {
  const origin = `http://127.0.0.1:${instance.port}`;
  const email = `buyer${i}@example.com`;
  // Pairs of posts, one to each instance, so both get their share of browser posts.
  const browser = Math.floor(i / 2) % (EVENTS / BROWSER_EVENTS) === 0;
  const response = browser
    ? await fetch(`${origin}/tw/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: JSON.stringify({
          event_id: 'o87ne',
          conversion_id: conversionId,
          twclid: TWCLID,
          email,
        }),
      })
    : await fetch(`${origin}/api/pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, conversion_id: conversionId }),
      });
  await response.arrayBuffer();
  return response.status;
}

describe('examples/postgres.mjs: two instances on one PostgreSQL', () => {
  const database = `two_instances_${process.pid}_${Math.floor(Math.random() * 1e9).toString(36)}`;
  const admin = new pg.Client({ connectionString: pgUrl() });
  let emulator: EmulatorHandle | undefined;
  const instances: Instance[] = [];

  beforeAll(async () => {
    if (!existsSync(BUILT)) {
      throw new Error('packages/server/dist is missing: run npm run build -w @twclid-kit/server');
    }
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(pgUrl());
    url.pathname = `/${database}`;
    emulator = await startEmulator({
      port: 0,
      eventsPerWindow: LIMIT,
      rateWindowMs: WINDOW_MS,
      maxEvents: EVENTS * 4,
      maxConversions: EVENTS * 2,
    });
    const env = {
      PORT: '0',
      X_PIXEL_ID: d.pixelId,
      X_PIXEL_TOKEN: d.pixelToken,
      X_ADS_API_BASE_URL: emulator.url,
      TWCLID_KIT_X_BUDGET: `${LIMIT}/${WINDOW_MS}ms`,
      TWCLID_KIT_DATABASE_URL: url.href,
    };
    // One after the other: the second finds the schema the first created.
    for (let i = 0; i < 2; i++) instances.push(await startInstance(env));
  });

  afterAll(async () => {
    for (const instance of instances) instance.child.kill('SIGTERM');
    await Promise.all(instances.map((instance) => instance.exited));
    await emulator?.close();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => {});
    await admin.end();
  });

  it('counts every conversion once, without a 429 and within X’s budget in every window', async () => {
    const x = emulator as EmulatorHandle;
    const ids = Array.from({ length: EVENTS }, () => randomUUID());
    // Round-robin over the instances, as a load balancer would, 8 posts at a time.
    for (let i = 0; i < EVENTS; i += 8) {
      const statuses = await Promise.all(
        ids.slice(i, i + 8).map((id, k) => post(instances[(i + k) % 2] as Instance, i + k, id)),
      );
      expect(statuses.every((s) => s === 200 || s === 202)).toBe(true);
    }
    const deadline = Date.now() + 60_000;
    while (x.state.stats().counted < EVENTS && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }

    const perId = new Map<string, number>();
    for (const group of x.state.conversions()) {
      if (group.conversionId !== null)
        perId.set(group.conversionId, (perId.get(group.conversionId) ?? 0) + 1);
    }
    expect(ids.filter((id) => perId.get(id) !== 1)).toEqual([]);
    expect(perId.size).toBe(EVENTS);
    expect(x.state.stats().rateLimited).toBe(0);
    const requests = requestsAt(x);
    expect(maxInAnyWindow(requests, WINDOW_MS)).toBeLessThanOrEqual(LIMIT);
    // The budget bound delivery: six windows' worth took at least five windows.
    const span = (requests.at(-1)?.at ?? 0) - (requests[0]?.at ?? 0);
    expect(span).toBeGreaterThanOrEqual(5 * WINDOW_MS - 500);
    // Both instances sent to X (each logs its sends as `x.send`).
    for (const instance of instances) expect(instance.output.join('')).toContain('"x.send"');
  }, 120_000);
});
