/**
 * Cluster mode: three kit server processes on one SQLite file, as Node's
 * cluster module or PM2 run an app on one host (the outbox, the claims and X's
 * budget shared through the file). N events are posted round-robin, the
 * emulator answers 20% of requests 503 and processes 5% without the answer
 * arriving (dropped after processing), X's budget is scaled down and the kit's
 * set to match, and K SIGKILLs hit random processes, each restarted on its port.
 *
 * Figures (docs/product.md): posts refused (5xx from the kit: 0), accepted
 * events lost (0) or counted twice (0), copies re-sent (absorbed by X's
 * deduplication), 429s at the emulator (0), the most events in any window
 * (never over X's limit), and budget use while a backlog remained (≥ 95%).
 */
import path from 'node:path';
import { startEmulator } from '@twclid-kit/emulator';
import { piiNeedles } from '../lib/fake-people.ts';
import { kitHealth, type ServerChild, startKitServer } from '../lib/kit-child.ts';
import { seededRandom } from '../lib/seeded-random.ts';
import { maxInAnyWindow } from '../lib/stats.ts';
import { eventFactory } from '../lib/wire-events.ts';
import {
  checkCountedOnce,
  countingReport,
  type ScenarioContext,
  sample,
  waitForDrain,
} from './context.ts';
import { sendEvents } from './event-sender.ts';
import { budgetUse, depthAt, requestsAt } from './postgres-chaos.ts';

export interface ClusterOptions {
  events: number;
  kills: number;
  processes: number;
  /** X's budget scaled down, for all processes together (the kit's is set to match). */
  limit: number;
  windowMs: number;
  timeoutMs: number;
}

/** docs/product.md: the budget used while a backlog remains. */
const GOAL_BUDGET_USE = 0.95;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Figures for bench/RESULTS.md, filled as the checks run. */
export interface ClusterFigures {
  refused: number;
  lost: number;
  resent: number;
  rateLimited: number;
  peak: number;
  use: number;
}

export async function clusterScenario(
  ctx: ScenarioContext,
  options: ClusterOptions,
  figures: Partial<ClusterFigures> = {},
): Promise<void> {
  const { checks } = ctx;
  const random = seededRandom(ctx.seed + 17);
  const emulator = await startEmulator({
    port: 0,
    maxEvents: options.events * 4,
    maxConversions: options.events * 2,
    eventsPerWindow: options.limit,
    rateWindowMs: options.windowMs,
    faults: {
      seed: ctx.seed,
      serverErrorRate: 0.2,
      serverErrorStatuses: [503],
      dropRate: 0.05,
      dropAfterProcessing: true,
    },
  });
  const db = path.join(ctx.dir, 'cluster.db');
  for (const f of [db, `${db}-wal`, `${db}-shm`]) ctx.artifacts.add(f);
  const start = (i: number, port?: number): Promise<ServerChild> => {
    const log = path.join(ctx.dir, `cluster-server-${i}.log`);
    ctx.artifacts.add(log);
    return startKitServer({
      xBaseUrl: emulator.url,
      store: 'sqlite',
      db,
      budgetLimit: options.limit,
      budgetWindowMs: options.windowMs,
      timeoutMs: 2000,
      retryBaseMs: 200,
      // A tenth of the window's budget per request: the budget, not the per-request
      // cost on a loaded machine, bounds delivery, and faults still strike ≥ 30 requests.
      batchSize: Math.min(500, Math.max(10, Math.round(options.limit / 10))),
      // Every event is a browser post here: the whole budget is theirs, so budget use is measurable.
      browserShare: 1,
      logFile: log,
      ...(port !== undefined ? { port } : {}),
    });
  };
  const servers: ServerChild[] = [];
  try {
    for (let i = 0; i < options.processes; i++) servers.push(await start(i));
    const ports = servers.map((s) => s.ready.port);
    const deadline = Date.now() + options.timeoutMs;
    const depths: { at: number; depth: number }[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        // Any live process reads the depth of the one shared outbox.
        for (const port of ports) {
          const depth = await depthAt(port);
          if (depth === undefined) continue;
          depths.push({ at: Date.now(), depth });
          break;
        }
        await sleep(200);
      }
    })();
    const killed = { kills: 0, restarts: 0, errors: [] as string[] };
    const killer = (async () => {
      for (let k = 0; k < options.kills; k++) {
        await sleep(random.int(300, 2500));
        if (Date.now() > deadline) break;
        const i = random.int(0, options.processes - 1);
        const victim = servers[i] as ServerChild;
        process.kill(victim.pid, 'SIGKILL');
        if ((await victim.exited).signal === 'SIGKILL') killed.kills++;
        for (let attempt = 1; ; attempt++) {
          try {
            servers[i] = await start(i, ports[i]);
            killed.restarts++;
            break;
          } catch (error) {
            if (attempt >= 20 || Date.now() > deadline) {
              killed.errors.push(
                error instanceof Error ? error.message.slice(0, 300) : String(error),
              );
              throw error;
            }
            await sleep(100);
          }
        }
      }
    })();
    let next = 0;
    const sent = await sendEvents({
      events: eventFactory({ seed: ctx.seed + 17, runId: `cluster${ctx.seed}` }),
      count: options.events,
      concurrency: 8,
      // Round-robin over the processes, as the cluster module's scheduler does.
      baseUrl: () => `http://127.0.0.1:${ports[next++ % ports.length]}`,
      retryUntil: deadline,
      timeoutMs: 10_000,
      onEvent: (e) => {
        for (const n of piiNeedles(e.person)) ctx.pii.add(n);
      },
    });
    await killer;
    checks.check(
      `${options.kills} SIGKILLs of random processes, each restarted`,
      killed.kills === options.kills && killed.restarts === options.kills,
      `${killed.kills} kills, ${killed.restarts} restarts${killed.errors.length ? `; ${killed.errors[0]}` : ''}`,
    );
    // A process being killed refuses no post: its connections drop (retried elsewhere).
    // A 5xx answer is a post the kit refused: a lock it could not wait out.
    const refused = [...sent.statusCounts].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
    figures.refused = refused;
    checks.check(
      'posts refused by the kit: 0 (no "database is locked")',
      refused === 0,
      `${refused} answered 5xx; statuses ${[...sent.statusCounts].map(([s, c]) => `${s}×${c}`).join(', ')}`,
    );
    checks.check(
      `all ${options.events} events eventually accepted`,
      sent.accepted.size === options.events,
      `${sent.accepted.size} accepted, ${sent.retriedAttempts} attempts retried (connections cut by kills)${sent.failed.length ? `; failed ${sample(sent.failed.map((f) => `${f.conversionId}: ${f.reason}`))}` : ''}`,
    );
    const drain = await waitForDrain(
      emulator,
      () => ports[0] as number,
      sent.accepted.size,
      deadline,
    );
    watching = false;
    await watcher;
    const health = await kitHealth(ports[0] as number);
    const report = countingReport(emulator, sent.accepted);
    figures.lost = report.lost.length;
    figures.resent = report.deduplicated;
    checkCountedOnce(checks, { drain, report, accepted: sent.accepted, dead: health.dead });
    const requests = requestsAt(emulator);
    // Every request X received spent budget, faulted ones too (the kit counts a
    // spend from the end of its request, so X's clock sees no more than the limit).
    const peak = maxInAnyWindow(requests, options.windowMs);
    const counted = maxInAnyWindow(
      requests.filter((r) => r.status === 200),
      options.windowMs,
    );
    const stats = emulator.state.stats();
    figures.peak = peak;
    figures.rateLimited = stats.rateLimited;
    checks.check(
      'the most events in any budget window, all processes together, within the limit',
      peak <= options.limit,
      `at most ${peak} of ${options.limit} events received by X in any ${options.windowMs / 1000} s window (by time of arrival, faulted requests included; ${counted} counted)`,
    );
    checks.check('no 429 from X', stats.rateLimited === 0, `${stats.rateLimited} answers 429`);
    const { windows, use } = budgetUse(requests, depths, options);
    figures.use = use;
    checks.check(
      `budget used while a backlog remained ≥ ${GOAL_BUDGET_USE * 100}%`,
      windows.length > 0 && use >= GOAL_BUDGET_USE,
      `${(use * 100).toFixed(1)}% over ${windows.length} windows with backlog (${windows.join(', ')} events); deepest backlog ${Math.max(0, ...depths.map((d) => d.depth))}`,
    );
  } finally {
    await Promise.all(servers.map((s) => s.stop('SIGTERM').catch(() => {})));
    await emulator.close();
  }
}
