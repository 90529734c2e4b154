/**
 * Postgres chaos: three kit server processes on one PostgreSQL (the outbox and
 * X's budget shared), N events posted round-robin, the emulator answering 20%
 * of requests 5xx and 5% never (timeouts) and enforcing the scaled budget, and
 * K SIGKILLs of random instances, each restarted on its port.
 *
 * Checks: every accepted event counted once at the emulator (re-sent copies
 * absorbed by X's deduplication), the most events in any budget window across
 * all instances never over the limit, no 429, nothing sent twice because a
 * live claim was recovered (`outbox.claim_lost` in the logs: 0), and the
 * budget used while the backlog held at least a window's budget (≥ 95%,
 * docs/product.md). The kill/restart loop is shared with cluster
 * (instance-chaos.ts).
 */
import { startEmulator } from '@twclid-kit/emulator';
import { startTestPostgres } from '../../packages/server/test/postgres/cluster.ts';
import { startKitServer } from '../lib/kit-child.ts';
import { seededRandom } from '../lib/seeded-random.ts';
import { maxInAnyWindow } from '../lib/stats.ts';
import type { ScenarioContext } from './context.ts';
import { budgetUse, requestsAt, runInstanceChaos } from './instance-chaos.ts';

// The helpers other scenarios import from here (junk-flood, cluster before).
export { budgetUse, depthAt, type Received, requestsAt } from './instance-chaos.ts';

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

/** Figures for bench/RESULTS.md, filled as the checks run. */
export interface PostgresChaosFigures {
  /** `outbox.claim_lost` warnings: batches that may have gone out twice because a live claim was recovered. */
  claimLost: number;
}

export async function postgresChaosScenario(
  ctx: ScenarioContext,
  options: PostgresChaosOptions,
  figures: Partial<PostgresChaosFigures> = {},
): Promise<void> {
  const { checks } = ctx;
  const postgres = await startTestPostgres();
  const emulator = await startEmulator({
    port: 0,
    maxEvents: options.events * 4,
    maxConversions: options.events * 2,
    eventsPerWindow: options.limit,
    rateWindowMs: options.windowMs,
    faults: { seed: ctx.seed, serverErrorRate: 0.2, timeoutRate: 0.05 },
  });
  try {
    const { depths, claimsLost } = await runInstanceChaos(ctx, {
      emulator,
      instances: options.instances,
      kills: options.kills,
      events: options.events,
      timeoutMs: options.timeoutMs,
      noun: 'instances',
      logPrefix: 'pg-chaos-server',
      random: seededRandom(ctx.seed + 13),
      eventSeed: ctx.seed + 13,
      runId: `pgchaos${ctx.seed}`,
      postTimeoutMs: 5000,
      start: (_i, logFile, port) =>
        startKitServer({
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
          logFile,
          ...(port !== undefined ? { port } : {}),
        }),
    });
    figures.claimLost = claimsLost.warnings;
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
    await emulator.close();
    postgres.stop();
  }
}
