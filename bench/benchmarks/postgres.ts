/**
 * Postgres: several instances. Two measurements, each against a baseline in
 * the same run:
 *
 * 1. Enqueue: requests/s of `POST /tw/events` (validate, hash, durable
 *    enqueue) with the Postgres outbox against the SQLite outbox, each in its
 *    own kit server process with delivery off, over interleaved rounds.
 * 2. Delivery: a backlog stored in Postgres, delivered by 1 and then by 3 kit
 *    server processes sharing X's budget (scaled to 5,000 events / 10 s; the
 *    emulator enforces the same). Delivery is bounded by X's budget, not by
 *    the database: 3 instances deliver at about the rate of 1, never over the
 *    budget and without a 429.
 *
 * Needs PostgreSQL's server programs (Debian: `apt-get install -y postgresql`);
 * a throwaway cluster is started and removed.
 *
 *   npm run bench:postgres [-- --duration 10 --rounds 3 --backlog 20000]
 */

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EMULATOR_DEFAULTS, startEmulator } from '@twclid-kit/emulator';
import { buildConversion } from '@twclid-kit/server';
import { openPostgresOutbox } from '@twclid-kit/server/postgres';
import {
  startTestPostgres,
  type TestPostgres,
} from '../../packages/server/test/postgres/cluster.ts';
import { runBench } from '../lib/bench-run.ts';
import { runLoad } from '../lib/http-load.ts';
import { type ServerChild, startKitServer } from '../lib/kit-child.ts';
import type { Figure } from '../lib/results.ts';
import { maxInAnyWindow, median } from '../lib/stats.ts';
import { EVENT_HEADERS, eventFactory } from '../lib/wire-events.ts';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    backlog: { type: 'string', default: '20000' },
    limit: { type: 'string', default: '5000' },
    'window-ms': { type: 'string', default: '10000' },
  },
});
const DURATION_S = Number(args.duration);
const WARMUP_S = Number(args.warmup);
const ROUNDS = Number(args.rounds);
const CONNECTIONS = Number(args.connections);
const BACKLOG = Number(args.backlog);
const LIMIT = Number(args.limit);
const WINDOW_MS = Number(args['window-ms']);
for (const [name, v] of Object.entries({
  DURATION_S,
  WARMUP_S,
  ROUNDS,
  CONNECTIONS,
  BACKLOG,
  LIMIT,
  WINDOW_MS,
})) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
}
const d = EMULATOR_DEFAULTS;
/** How the "most events in any window" figure is measured. */
const NOTE_WINDOW =
  '“Most events in any window” checks every window starting at a request by the emulator’s receipt times: a shared spend counts from the end of its request (rate-budget.ts), so X’s clock never sees more than the budget in a window.';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Enqueue requests/s of one kit server process (delivery off). */
async function enqueueRun(server: ServerChild, body: () => string): Promise<number> {
  const load = {
    url: `http://127.0.0.1:${server.ready.port}/tw/events`,
    headers: { ...EVENT_HEADERS, origin: `http://127.0.0.1:${server.ready.port}` },
    body,
    connections: CONNECTIONS,
  };
  await runLoad({ ...load, durationS: WARMUP_S });
  const measured = await runLoad({ ...load, durationS: DURATION_S });
  if (measured.non2xx > 0 || measured.errors > 0)
    throw new Error(`${measured.non2xx} non-2xx answers, ${measured.errors} errors`);
  return measured.rps;
}

async function enqueuePhase(postgres: TestPostgres, dir: string) {
  const events = eventFactory({ seed: 31 });
  const rps = { sqlite: [] as number[], postgres: [] as number[] };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const store of ['sqlite', 'postgres'] as const) {
      const server = await startKitServer({
        // Delivery is off: this measures the route and the store.
        xBaseUrl: 'http://127.0.0.1:9',
        store,
        db: path.join(dir, `enqueue-${round}.db`),
        pgUrl: postgres.url,
        pgSchema: `enqueue_${round}`,
        deliver: false,
        logLevel: 'warn',
      });
      try {
        const r = await enqueueRun(server, () => events.next().body);
        rps[store].push(r);
        console.log(`  round ${round} ${store}: ${Math.round(r)} req/s`);
      } finally {
        await server.stop('SIGTERM');
      }
    }
  }
  return { sqlite: median(rps.sqlite), postgres: median(rps.postgres) };
}

/** Stores the backlog straight into the schema, built as the route builds it. */
async function storeBacklog(url: string, schema: string): Promise<void> {
  const store = await openPostgresOutbox({ connectionString: url, schema, maxConnections: 8 });
  const events = eventFactory({ seed: 32 });
  const now = Date.now();
  const put = async () => {
    const e = events.next().event;
    const built = buildConversion(
      { eventId: e.event_id, conversionId: e.conversion_id, twclid: e.twclid, email: e.email },
      { pixelId: d.pixelId, defaultCountry: 'US', now: () => now },
    );
    if (!built.ok) throw new Error('backlog event did not build');
    await store.enqueue({
      pixelId: d.pixelId,
      account: d.accountId,
      conversion: built.conversion,
      now,
      dedupWindowMs: 48 * 3_600_000,
    });
  };
  for (let i = 0; i < BACKLOG; i += 8) await Promise.all(Array.from({ length: 8 }, put));
  await store.close();
}

async function deliveryPhase(postgres: TestPostgres, instances: number) {
  const schema = `delivery_${instances}`;
  await storeBacklog(postgres.url, schema);
  const emulator = await startEmulator({
    port: 0,
    eventsPerWindow: LIMIT,
    rateWindowMs: WINDOW_MS,
    maxEvents: BACKLOG * 2,
    maxConversions: BACKLOG * 2,
  });
  const servers: ServerChild[] = [];
  try {
    const started = Date.now();
    for (let i = 0; i < instances; i++)
      servers.push(
        await startKitServer({
          xBaseUrl: emulator.url,
          store: 'postgres',
          pgUrl: postgres.url,
          pgSchema: schema,
          budgetLimit: LIMIT,
          budgetWindowMs: WINDOW_MS,
          logLevel: 'warn',
        }),
      );
    const deadline = started + Math.max(120_000, (BACKLOG / LIMIT) * WINDOW_MS * 4);
    while (emulator.state.stats().counted < BACKLOG && Date.now() < deadline) await sleep(100);
    const stats = emulator.state.stats();
    const requests = new Map<string, { at: number; count: number }>();
    for (const r of emulator.state.events({ channel: 'capi' })) {
      const req = requests.get(r.debugId);
      if (req) req.count++;
      else requests.set(r.debugId, { at: Date.parse(r.receivedAt), count: 1 });
    }
    const sorted = [...requests.values()].sort((a, b) => a.at - b.at);
    const spanS = ((sorted.at(-1)?.at ?? 0) - (sorted[0]?.at ?? 0)) / 1000;
    return {
      counted: stats.counted,
      rateLimited: stats.rateLimited,
      peak: maxInAnyWindow(sorted, WINDOW_MS),
      spanS,
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop('SIGTERM')));
    await emulator.close();
  }
}

await runBench(
  {
    id: 'postgres',
    title: 'Postgres: several instances',
    command: 'npm run bench:postgres',
    parameters: {
      connections: CONNECTIONS,
      durationS: DURATION_S,
      rounds: ROUNDS,
      backlog: BACKLOG,
      budgetLimit: LIMIT,
      budgetWindowMs: WINDOW_MS,
      postgres: 'Debian PostgreSQL (throwaway cluster, fsync off)',
    },
  },
  async () => {
    const postgres = await startTestPostgres();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'twclid-bench-postgres-'));
    try {
      const enqueue = await enqueuePhase(postgres, dir);
      const one = await deliveryPhase(postgres, 1);
      const three = await deliveryPhase(postgres, 3);
      const figures: Figure[] = [
        {
          name: 'enqueue through the route, Postgres outbox: requests/s',
          value: enqueue.postgres,
          unit: 'req/s',
          baseline: { name: 'SQLite outbox', value: enqueue.sqlite },
        },
      ];
      for (const [label, run] of [
        ['1 instance', one],
        ['3 instances', three],
      ] as const) {
        figures.push(
          {
            name: `delivery, ${label}: backlog counted at the emulator`,
            value: run.counted,
            unit: 'events',
            baseline: { name: 'stored', value: BACKLOG },
          },
          { name: `delivery, ${label}: span first to last request`, value: run.spanS, unit: 's' },
          {
            name: `delivery, ${label}: most events in any window`,
            value: run.peak,
            unit: 'events',
            baseline: { name: 'budget', value: LIMIT },
          },
          { name: `delivery, ${label}: answers 429`, value: run.rateLimited, unit: '' },
        );
      }
      figures.push({
        name: 'delivery span, 3 instances vs 1 (bounded by the budget, ≈ 1×)',
        value: three.spanS,
        unit: 's',
        baseline: { name: '1 instance', value: one.spanS },
      });
      return {
        figures,
        notes: [
          `X's budget is scaled from 60,000 events / 15 min to ${LIMIT.toLocaleString('en-US')} / ${WINDOW_MS / 1000} s (kit and emulator alike) and shared by the instances through Postgres.`,
          'The test cluster runs with fsync off; a production server with fsync on adds its commit latency to every enqueue.',
          NOTE_WINDOW,
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
      postgres.stop();
    }
  },
);
