/**
 * Ingest: requests/s and latency of the kit's `POST /tw/events` (validate,
 * normalize and hash, durable enqueue) against a bare Hono route answering 204,
 * same machine, same run; and the SQLite outbox against the memory one. Each
 * server runs in its own child process (one core for it, one for autocannon);
 * every configuration gets a fresh process, a warm-up, then a measured run,
 * repeated over interleaved rounds (the figure is the median round).
 *
 *   npm run bench:ingest [-- --duration 10 --rounds 3 --connections 10]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runBench } from '../lib/bench-run.ts';
import { type LoadResult, runLoad } from '../lib/http-load.ts';
import { kitHealth, type ServerChild, startBareServer, startKitServer } from '../lib/kit-child.ts';
import type { Figure } from '../lib/results.ts';
import { median } from '../lib/stats.ts';
import { EVENT_HEADERS, eventFactory } from '../lib/wire-events.ts';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
  },
});
const DURATION_S = Number(args.duration);
const WARMUP_S = Number(args.warmup);
const ROUNDS = Number(args.rounds);
const CONNECTIONS = Number(args.connections);
for (const [name, v] of Object.entries({ DURATION_S, WARMUP_S, ROUNDS, CONNECTIONS })) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
}

/** product.md goal: the ingest route keeps ≥ 0.5× a bare Hono route's requests/s. */
const GOAL_RATIO = 0.5;

type Target = 'bare' | 'memory' | 'sqlite';
const TARGETS: readonly Target[] = ['bare', 'memory', 'sqlite'];
const LABEL: Record<Target, string> = {
  bare: 'bare Hono route (204)',
  memory: 'kit route, memory outbox',
  sqlite: 'kit route, SQLite outbox (durable)',
};

await runBench(
  {
    id: 'ingest',
    title: 'Ingest route vs a bare Hono route',
    command: 'npm run bench:ingest',
    parameters: {
      connections: CONNECTIONS,
      durationS: DURATION_S,
      warmupS: WARMUP_S,
      rounds: ROUNDS,
      loadGenerator: 'autocannon 9.0.0',
    },
  },
  async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'twclid-bench-ingest-'));
    const events = eventFactory({ seed: 11 });
    const runs: Record<Target, LoadResult[]> = { bare: [], memory: [], sqlite: [] };
    const notes: string[] = [];
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        for (const target of TARGETS) {
          let server: ServerChild;
          if (target === 'bare') server = await startBareServer();
          else {
            server = await startKitServer({
              // Delivery is off: this measures the route. Nothing is sent to this address.
              xBaseUrl: 'http://127.0.0.1:9',
              store: target,
              db: path.join(dir, `outbox-${round}.db`),
              deliver: false,
              logLevel: 'warn',
            });
          }
          try {
            const load = {
              url: `http://127.0.0.1:${server.ready.port}/tw/events`,
              headers: { ...EVENT_HEADERS },
              body: () => events.next().body,
              connections: CONNECTIONS,
            };
            const warm = await runLoad({ ...load, durationS: WARMUP_S });
            const measured = await runLoad({ ...load, durationS: DURATION_S });
            for (const r of [warm, measured]) {
              if (r.non2xx > 0 || r.errors > 0) {
                throw new Error(
                  `${LABEL[target]}: ${r.non2xx} non-2xx answers and ${r.errors} errors (${JSON.stringify(r.statusCounts)})`,
                );
              }
            }
            if (target !== 'bare') {
              // Every 2xx must be a stored event, not a duplicate or a suppression. Requests
              // still in flight when a run ends (one per connection) are stored but not counted.
              const health = await kitHealth(server.ready.port);
              const answered = warm.statusCounts['2xx'] + measured.statusCounts['2xx'];
              const { accepted, duplicates, suppressed } = health.counters;
              if (
                accepted < answered ||
                accepted > answered + 2 * CONNECTIONS ||
                duplicates + suppressed > 0
              ) {
                throw new Error(
                  `${LABEL[target]}: ${answered} requests answered 2xx, but the kit counted ${accepted} accepted, ${duplicates} duplicates, ${suppressed} suppressed`,
                );
              }
            }
            runs[target].push(measured);
            console.log(
              `  round ${round} ${LABEL[target]}: ${Math.round(measured.rps)} req/s, p50 ${measured.latencyMs.p50} ms, p99 ${measured.latencyMs.p99} ms`,
            );
          } finally {
            await server.stop('SIGTERM');
          }
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const rps = (t: Target): number => median(runs[t].map((r) => r.rps));
    const lat = (t: Target, k: keyof LoadResult['latencyMs']): number =>
      median(runs[t].map((r) => r.latencyMs[k]));
    const figures: Figure[] = [];
    for (const t of TARGETS) {
      figures.push({
        name: `${LABEL[t]}: requests/s`,
        value: rps(t),
        unit: 'req/s',
        ...(t === 'bare' ? {} : { baseline: { name: 'bare route', value: rps('bare') } }),
      });
    }
    figures.push({
      name: 'SQLite outbox vs memory outbox: requests/s',
      value: rps('sqlite'),
      unit: 'req/s',
      baseline: { name: 'memory outbox', value: rps('memory') },
    });
    for (const t of TARGETS) {
      for (const k of ['p50', 'p90', 'p99'] as const) {
        figures.push({
          name: `${LABEL[t]}: latency ${k}`,
          value: lat(t, k),
          unit: 'ms',
          ...(t === 'bare' ? {} : { baseline: { name: 'bare route', value: lat('bare', k) } }),
        });
      }
    }
    const ratio = rps('sqlite') / rps('bare');
    notes.push(
      `${CONNECTIONS} connections, ${DURATION_S} s measured after ${WARMUP_S} s of warm-up per process, ${ROUNDS} interleaved rounds; medians of the rounds. Each request is a distinct JSON event (own conversion_id, raw email and phone to normalize and hash) with the shop's Origin; every answer was 2xx and the kit's counters confirmed each was stored (no duplicates).`,
      'The kit server runs with delivery off (`autoStart: false`) so the figure is the route alone, and with the per-IP rate limit off (one load generator on 127.0.0.1 would hit it at once).',
    );
    return {
      figures,
      verdicts: [
        {
          goal: 'ingest-ratio',
          measured: `${ratio.toFixed(2)}× (SQLite route ${Math.round(rps('sqlite')).toLocaleString('en-US')} vs bare ${Math.round(rps('bare')).toLocaleString('en-US')} req/s; memory outbox ${(rps('memory') / rps('bare')).toFixed(2)}×)`,
          met: ratio >= GOAL_RATIO,
        },
      ],
      notes,
    };
  },
);
