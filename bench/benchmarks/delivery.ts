/**
 * Delivery against the emulator, two phases.
 *
 * 1. Backlog: a backlog is stored in the SQLite outbox, then the dispatcher
 *    starts, with the rate budget scaled down (default 5,000 events per 10 s
 *    instead of 60,000 per 15 min) so the run takes about a minute. The
 *    emulator enforces the same budget (a request past it would get 429).
 *    From what the emulator received: the share of requests carrying 500
 *    events while the backlog was ≥ 500; the most events in any window
 *    (never above the limit); the share of the budget used while the backlog
 *    remained.
 * 2. Idle: single events through the route, one at a time with idle gaps;
 *    latency from the route's 2xx to the emulator's receipt (p50, p95),
 *    against a bare client round trip as the baseline.
 *
 *   npm run bench:delivery [-- --limit 5000 --window-ms 10000 --backlog 32500 --idle-events 40]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EMULATOR_DEFAULTS, type EventRecord, startEmulator } from '@twclid-kit/emulator';
import {
  buildConversion,
  createXClient,
  silentLogger,
  twclidKit,
  type XAuth,
} from '@twclid-kit/server';
import { createRateBudget } from '@twclid-kit/server/core';
import { sqliteOutbox } from '@twclid-kit/server/sqlite';
import { runBench } from '../lib/bench-run.ts';
import { maxInAnyWindow, summarize } from '../lib/stats.ts';
import { EVENT_HEADERS, eventFactory } from '../lib/wire-events.ts';

const { values: args } = parseArgs({
  options: {
    limit: { type: 'string', default: '5000' },
    'window-ms': { type: 'string', default: '10000' },
    backlog: { type: 'string', default: '32500' },
    'idle-events': { type: 'string', default: '40' },
  },
});
const LIMIT = Number(args.limit);
const WINDOW_MS = Number(args['window-ms']);
const BACKLOG = Number(args.backlog);
const IDLE_EVENTS = Number(args['idle-events']);
for (const [name, v] of Object.entries({ LIMIT, WINDOW_MS, BACKLOG, IDLE_EVENTS })) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
}

/** docs/product.md goals. */
const GOAL_FILL = 0.99;
const GOAL_BUDGET_USE = 0.95;
const GOAL_IDLE_P95_MS = 1500;
const BATCH = 500;

const d = EMULATOR_DEFAULTS;
const auth: XAuth = {
  kind: 'oauth1',
  consumerKey: d.consumerKey,
  consumerSecret: d.consumerSecret,
  accessToken: d.accessToken,
  accessTokenSecret: d.accessTokenSecret,
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Request {
  at: number;
  count: number;
  status: number | null;
}

/** The emulator's CAPI copies grouped into requests (one debug_id per request). */
function requestsOf(records: readonly EventRecord[]): Request[] {
  const byDebugId = new Map<string, Request>();
  for (const r of records) {
    const at = Date.parse(r.receivedAt);
    const req = byDebugId.get(r.debugId);
    if (req) req.count++;
    else byDebugId.set(r.debugId, { at, count: 1, status: r.httpStatus });
  }
  return [...byDebugId.values()].sort((a, b) => a.at - b.at);
}

async function backlogPhase(dir: string) {
  const emulator = await startEmulator({
    port: 0,
    eventsPerWindow: LIMIT,
    rateWindowMs: WINDOW_MS,
    maxEvents: BACKLOG * 2,
    maxConversions: BACKLOG * 2,
  });
  const store = sqliteOutbox({ path: path.join(dir, 'backlog.db') });
  const kit = twclidKit({
    pixelId: d.pixelId,
    adAccountId: d.accountId,
    events: [d.events.purchase.id],
    store,
    client: createXClient({ baseUrl: emulator.url, auth }),
    budget: createRateBudget({ limit: LIMIT, windowMs: WINDOW_MS }),
    logger: silentLogger,
    autoStart: false,
  });
  try {
    // The backlog goes straight into the outbox (built exactly as the route builds it).
    const events = eventFactory({ seed: 21 });
    const now = Date.now();
    for (let i = 0; i < BACKLOG; i++) {
      const e = events.next().event;
      const built = buildConversion(
        {
          eventId: e.event_id,
          conversionId: e.conversion_id,
          twclid: e.twclid,
          email: e.email,
          phone: e.phone,
          value: e.value,
          currency: e.currency,
          numberItems: e.number_items,
          eventSourceUrl: e.event_source_url,
          ip: '203.0.113.7',
        },
        { pixelId: d.pixelId, defaultCountry: 'US', now: () => now },
      );
      if (!built.ok) throw new Error(`backlog event ${i} invalid: ${JSON.stringify(built.issues)}`);
      await store.enqueue({
        pixelId: d.pixelId,
        account: d.accountId,
        conversion: built.conversion,
        now,
        dedupWindowMs: 7 * 86_400_000,
      });
    }
    const started = Date.now();
    await kit.start();
    const deadline = started + Math.ceil(BACKLOG / LIMIT + 3) * WINDOW_MS;
    while (emulator.state.stats().counted < BACKLOG && Date.now() < deadline) await sleep(100);
    const stats = emulator.state.stats();
    const requests = requestsOf(emulator.state.events({ channel: 'capi' }));
    return { requests, stats, started };
  } finally {
    await kit.shutdown({ timeoutMs: 2000 });
    await emulator.close();
  }
}

async function idlePhase(dir: string) {
  const emulator = await startEmulator({ port: 0 });
  const kit = twclidKit({
    pixelId: d.pixelId,
    adAccountId: d.accountId,
    events: [d.events.purchase.id],
    store: sqliteOutbox({ path: path.join(dir, 'idle.db') }),
    client: createXClient({ baseUrl: emulator.url, auth }),
    allowedOrigins: [EVENT_HEADERS.origin as string],
    ipRateLimit: false,
    defaultCountry: 'US',
    logger: silentLogger,
  });
  const latencies: number[] = [];
  const roundTrips: number[] = [];
  try {
    const events = eventFactory({ seed: 31 });
    const client = createXClient({ baseUrl: emulator.url, auth });
    for (let i = 0; i < IDLE_EVENTS; i++) {
      // Idle: each event arrives alone, after a gap of 0.3–1.5 s.
      await sleep(300 + Math.floor(Math.random() * 1200));
      const { event, body } = events.next();
      const response = await kit.request('http://127.0.0.1/events', {
        method: 'POST',
        headers: EVENT_HEADERS,
        body,
      });
      const acceptedAt = Date.now();
      if (response.status !== 202)
        throw new Error(`route answered ${response.status}: ${await response.text()}`);
      let received: EventRecord | undefined;
      const deadline = acceptedAt + 30_000;
      while (!received && Date.now() < deadline) {
        received = emulator.state.events({
          channel: 'capi',
          conversionId: event.conversion_id,
          limit: 1,
        })[0];
        if (!received) await sleep(5);
      }
      if (!received) throw new Error(`event ${event.conversion_id} not delivered within 30 s`);
      latencies.push(Date.parse(received.receivedAt) - acceptedAt);
    }
    // Baseline: one conversion sent straight through the client (no outbox, no dispatcher).
    for (let i = 0; i < 20; i++) {
      const e = events.next().event;
      const built = buildConversion(
        { eventId: e.event_id, conversionId: e.conversion_id, twclid: e.twclid, email: e.email },
        { pixelId: d.pixelId },
      );
      if (!built.ok) throw new Error('baseline conversion invalid');
      const t = performance.now();
      const outcome = await client.send(d.pixelId, [built.conversion]);
      roundTrips.push(performance.now() - t);
      if (!outcome.ok) throw new Error(`baseline send failed: ${outcome.kind}`);
    }
    return { latencies, roundTrips };
  } finally {
    await kit.shutdown({ timeoutMs: 2000 });
    await emulator.close();
  }
}

await runBench(
  {
    id: 'delivery',
    title: 'Delivery against the emulator',
    command: 'npm run bench:delivery',
    parameters: {
      budgetLimit: LIMIT,
      budgetWindowMs: WINDOW_MS,
      backlog: BACKLOG,
      idleEvents: IDLE_EVENTS,
      store: 'sqlite',
    },
  },
  async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'twclid-bench-delivery-'));
    try {
      const { requests, stats, started } = await backlogPhase(dir);
      // Batch fill: requests sent while the backlog was still ≥ 500 events.
      let sent = 0;
      let whileBacklog = 0;
      let full = 0;
      for (const r of requests) {
        if (BACKLOG - sent >= BATCH) {
          whileBacklog++;
          if (r.count === BATCH) full++;
        }
        if (r.status === 200) sent += r.count;
      }
      const fill = whileBacklog === 0 ? 0 : full / whileBacklog;
      const accepted = requests.filter((r) => r.status === 200);
      const peak = maxInAnyWindow(accepted, WINDOW_MS);
      // Budget use: windows aligned on the first send, counted while the backlog
      // at the window's end still exceeded one window's budget (so it could all be used).
      const first = accepted[0]?.at ?? started;
      const windows: number[] = [];
      let delivered = 0;
      for (let k = 0; ; k++) {
        const from = first + k * WINDOW_MS;
        const to = from + WINDOW_MS;
        const inWindow = accepted
          .filter((r) => r.at >= from && r.at < to)
          .reduce((s, r) => s + r.count, 0);
        delivered += inWindow;
        if (BACKLOG - delivered < 0 || BACKLOG - (delivered - inWindow) < LIMIT || inWindow === 0)
          break;
        windows.push(inWindow);
      }
      const use =
        windows.length === 0 ? 0 : windows.reduce((s, n) => s + n, 0) / (windows.length * LIMIT);
      const minUse = windows.length === 0 ? 0 : Math.min(...windows) / LIMIT;
      const durationS = ((accepted.at(-1)?.at ?? first) - first) / 1000;

      const { latencies, roundTrips } = await idlePhase(dir);
      const lat = summarize(latencies);
      const rt = summarize(roundTrips);

      const exceeded = peak > LIMIT || stats.rateLimited > 0;
      return {
        figures: [
          {
            name: 'backlog delivered (counted at the emulator)',
            value: stats.counted,
            unit: 'events',
            baseline: { name: 'stored', value: BACKLOG },
          },
          { name: 'requests sent', value: requests.length, unit: '' },
          {
            name: 'batch fill while backlog ≥ 500: requests with 500 events',
            value: fill * 100,
            unit: '%',
            baseline: { name: 'goal', value: GOAL_FILL * 100 },
          },
          {
            name: 'most events in any window',
            value: peak,
            unit: 'events',
            baseline: { name: 'budget', value: LIMIT },
          },
          { name: 'requests answered 429 by the emulator', value: stats.rateLimited, unit: '' },
          {
            name: 'budget used while backlog remained (mean of windows)',
            value: use * 100,
            unit: '%',
            baseline: { name: 'goal', value: GOAL_BUDGET_USE * 100 },
          },
          { name: 'budget used, lowest window', value: minUse * 100, unit: '%' },
          { name: 'delivery span (first to last request)', value: durationS, unit: 's' },
          {
            name: 'idle latency accepted → delivered, p50',
            value: lat.p50,
            unit: 'ms',
            baseline: { name: 'bare client round trip p50', value: rt.p50 },
          },
          {
            name: 'idle latency accepted → delivered, p95',
            value: lat.p95,
            unit: 'ms',
            baseline: { name: 'bare client round trip p95', value: rt.p95 },
          },
          { name: 'idle latency accepted → delivered, max', value: lat.max, unit: 'ms' },
        ],
        verdicts: [
          {
            goal: 'batch-fill',
            measured: `${(fill * 100).toFixed(1)}% of ${whileBacklog} requests sent while the backlog was ≥ 500 carried 500 events`,
            met: fill >= GOAL_FILL,
          },
          {
            goal: 'rate-budget',
            measured: `at most ${peak.toLocaleString('en-US')} of ${LIMIT.toLocaleString('en-US')} events in any ${WINDOW_MS / 1000} s window, ${stats.rateLimited} answers 429; ${(use * 100).toFixed(1)}% of the budget used over ${windows.length} windows with backlog (scaled budget)`,
            met: !exceeded && use >= GOAL_BUDGET_USE,
          },
          {
            goal: 'idle-latency',
            measured: `p50 ${Math.round(lat.p50)} ms, p95 ${Math.round(lat.p95)} ms over ${lat.n} single events`,
            met: lat.p95 <= GOAL_IDLE_P95_MS,
          },
        ],
        notes: [
          `The budget is scaled from 60,000 events / 15 min to ${LIMIT.toLocaleString('en-US')} / ${WINDOW_MS / 1000} s (kit and emulator alike), so a run takes about a minute; batch fill and budget use do not depend on the scale.`,
          'Times are the emulator’s receipt times (same process, same clock); “any window” checks every window starting at a request, which is exact for a rolling window.',
          'Budget use counts windows aligned on the first request, while the backlog at the window’s start still held at least one window’s budget.',
          'Idle latency: each event is posted to the route in-process after an idle gap of 0.3–1.5 s; latency is from the 2xx answer to the emulator’s receipt. The baseline is one conversion sent straight with the X client.',
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
