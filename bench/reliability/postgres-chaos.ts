/**
 * Postgres chaos: three kit server processes on one PostgreSQL (the outbox and
 * X's budget shared), N events posted round-robin, the emulator answering 20%
 * of requests 5xx and 5% never (timeouts) and enforcing the scaled budget, and
 * K SIGKILLs of random instances, each restarted on its port.
 *
 * Checks: every accepted event counted once at the emulator (re-sent copies
 * absorbed by X's deduplication), the most events in any budget window across
 * all instances never over the limit, no 429, and the budget used while the
 * backlog held at least a window's budget (≥ 95%, docs/product.md).
 */
import path from 'node:path';
import { type EmulatorHandle, startEmulator } from '@twclid-kit/emulator';
import { startTestPostgres } from '../../packages/server/test/postgres/cluster.ts';
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

export interface PostgresChaosOptions {
  events: number;
  kills: number;
  instances: number;
  /** X's budget scaled down, for all instances together. */
  limit: number;
  windowMs: number;
  timeoutMs: number;
}

/** docs/product.md: the budget used while a backlog remains. */
const GOAL_BUDGET_USE = 0.95;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Received {
  at: number;
  count: number;
  status: number | null;
}

/**
 * Requests the emulator received, any answer (faults and timeouts included):
 * each spent the instances' budget. Those answered 200 are what X counted.
 */
export function requestsAt(emulator: EmulatorHandle): Received[] {
  const byDebugId = new Map<string, Received>();
  for (const r of emulator.state.events({ channel: 'capi' })) {
    const req = byDebugId.get(r.debugId);
    if (req) req.count++;
    else byDebugId.set(r.debugId, { at: Date.parse(r.receivedAt), count: 1, status: r.httpStatus });
  }
  return [...byDebugId.values()].sort((a, b) => a.at - b.at);
}

/**
 * The outbox depth from `/health`, also while it answers 503 (delivery failing under
 * faults); the bench kit server shows it (`healthDetails: true`).
 */
export async function depthAt(port: number): Promise<number | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/tw/health`);
    const body = (await response.json()) as { depth?: unknown };
    return typeof body.depth === 'number' ? body.depth : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Budget use: windows aligned on the first request, each counted when the
 * outbox held at least one window's budget at its start and it ended before
 * the last request (so all of it could be spent).
 */
export function budgetUse(
  requests: readonly { at: number; count: number }[],
  depths: readonly { at: number; depth: number }[],
  options: Pick<PostgresChaosOptions, 'limit' | 'windowMs'>,
): { windows: number[]; use: number } {
  const first = requests[0]?.at ?? 0;
  const last = requests.at(-1)?.at ?? 0;
  const windows: number[] = [];
  for (let from = first; from + options.windowMs <= last; from += options.windowMs) {
    const depth = depths.filter((d) => d.at <= from).at(-1)?.depth ?? 0;
    if (depth < options.limit) continue;
    windows.push(
      requests
        .filter((r) => r.at >= from && r.at < from + options.windowMs)
        .reduce((s, r) => s + r.count, 0),
    );
  }
  const use =
    windows.length === 0
      ? 0
      : windows.reduce((s, n) => s + n, 0) / (windows.length * options.limit);
  return { windows, use };
}

export async function postgresChaosScenario(
  ctx: ScenarioContext,
  options: PostgresChaosOptions,
): Promise<void> {
  const { checks } = ctx;
  const random = seededRandom(ctx.seed + 13);
  const postgres = await startTestPostgres();
  const emulator = await startEmulator({
    port: 0,
    maxEvents: options.events * 4,
    maxConversions: options.events * 2,
    eventsPerWindow: options.limit,
    rateWindowMs: options.windowMs,
    faults: { seed: ctx.seed, serverErrorRate: 0.2, timeoutRate: 0.05 },
  });
  const servers: ServerChild[] = [];
  // The depth watcher polls until the end, also when the scenario throws.
  let watching = true;
  const start = (i: number, port?: number): Promise<ServerChild> => {
    const log = path.join(ctx.dir, `pg-chaos-server-${i}.log`);
    ctx.artifacts.add(log);
    return startKitServer({
      xBaseUrl: emulator.url,
      store: 'postgres',
      pgUrl: postgres.url,
      pgSchema: 'chaos',
      budgetLimit: options.limit,
      budgetWindowMs: options.windowMs,
      timeoutMs: 2000,
      retryBaseMs: 200,
      // Faults strike requests: batches of ~1% of the run give ≥ 100 requests to fault.
      batchSize: Math.min(500, Math.max(10, Math.floor(options.events / 100))),
      // Every event is a browser post here: the whole budget is theirs, so budget use is measurable.
      browserShare: 1,
      logFile: log,
      ...(port !== undefined ? { port } : {}),
    });
  };
  try {
    for (let i = 0; i < options.instances; i++) servers.push(await start(i));
    const ports = servers.map((s) => s.ready.port);
    const deadline = Date.now() + options.timeoutMs;
    let kills = 0;
    let restarts = 0;
    const restartErrors: string[] = [];
    const depths: { at: number; depth: number }[] = [];
    const watcher = (async () => {
      while (watching) {
        for (const port of ports) {
          const depth = await depthAt(port);
          if (depth === undefined) continue;
          depths.push({ at: Date.now(), depth });
          break;
        }
        await sleep(200);
      }
    })();
    const killer = (async () => {
      for (let k = 0; k < options.kills; k++) {
        await sleep(random.int(300, 2500));
        if (Date.now() > deadline) break;
        const i = random.int(0, options.instances - 1);
        const victim = servers[i] as ServerChild;
        process.kill(victim.pid, 'SIGKILL');
        if ((await victim.exited).signal === 'SIGKILL') kills++;
        for (let attempt = 1; ; attempt++) {
          try {
            servers[i] = await start(i, ports[i]);
            restarts++;
            break;
          } catch (error) {
            if (attempt >= 20 || Date.now() > deadline) {
              restartErrors.push(
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
      events: eventFactory({ seed: ctx.seed + 13, runId: `pgchaos${ctx.seed}` }),
      count: options.events,
      concurrency: 8,
      // Round-robin over the instances, as a load balancer would.
      baseUrl: () => `http://127.0.0.1:${ports[next++ % ports.length]}`,
      retryUntil: deadline,
      timeoutMs: 5000,
      onEvent: (e) => {
        for (const n of piiNeedles(e.person)) ctx.pii.add(n);
      },
    });
    await killer;
    checks.check(
      `${options.kills} SIGKILLs of random instances, each restarted`,
      kills === options.kills && restarts === options.kills,
      `${kills} kills, ${restarts} restarts${restartErrors.length ? `; ${restartErrors[0]}` : ''}`,
    );
    checks.check(
      `all ${options.events} events eventually accepted by the instances`,
      sent.accepted.size === options.events,
      `${sent.accepted.size} accepted, ${sent.retriedAttempts} attempts retried${sent.failed.length ? `; failed ${sample(sent.failed.map((f) => `${f.conversionId}: ${f.reason}`))}` : ''}`,
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
    checkCountedOnce(checks, { drain, report, accepted: sent.accepted, dead: health.dead });
    const requests = requestsAt(emulator);
    const peak = maxInAnyWindow(
      requests.filter((r) => r.status === 200),
      options.windowMs,
    );
    const stats = emulator.state.stats();
    checks.check(
      'the most events in any budget window, all instances together, within the limit',
      peak <= options.limit,
      `at most ${peak} of ${options.limit} events counted by X in any ${options.windowMs / 1000} s window (by time of arrival); ${maxInAnyWindow(requests, options.windowMs)} with the faulted requests`,
    );
    checks.check('no 429 from X', stats.rateLimited === 0, `${stats.rateLimited} answers 429`);
    const { windows, use } = budgetUse(requests, depths, options);
    checks.check(
      `budget used while a backlog remained ≥ ${GOAL_BUDGET_USE * 100}%`,
      windows.length > 0 && use >= GOAL_BUDGET_USE,
      `${(use * 100).toFixed(1)}% over ${windows.length} windows with backlog (${windows.join(', ')} events); deepest backlog ${Math.max(0, ...depths.map((d) => d.depth))}`,
    );
  } finally {
    watching = false;
    await Promise.all(servers.map((s) => s.stop('SIGTERM').catch(() => {})));
    await emulator.close();
    postgres.stop();
  }
}
