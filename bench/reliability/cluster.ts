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
 * deduplication), sent twice because a live claim was recovered
 * (`outbox.claim_lost` in the logs: 0), 429s at the emulator (0), the most
 * events in any window (never over X's limit), and budget use while a backlog
 * remained (≥ 95%). The kill/restart loop is shared with postgres-chaos
 * (instance-chaos.ts).
 */
import path from 'node:path';
import { startEmulator } from '@twclid-kit/emulator';
import { startKitServer } from '../lib/kit-child.ts';
import { seededRandom } from '../lib/seeded-random.ts';
import { maxInAnyWindow } from '../lib/stats.ts';
import type { ScenarioContext } from './context.ts';
import { budgetUse, requestsAt, runInstanceChaos } from './instance-chaos.ts';

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

/** Figures for bench/RESULTS.md, filled as the checks run. */
export interface ClusterFigures {
  refused: number;
  lost: number;
  resent: number;
  rateLimited: number;
  peak: number;
  use: number;
  /** `outbox.claim_lost` warnings: batches that may have gone out twice because a live claim was recovered. */
  claimLost: number;
}

export async function clusterScenario(
  ctx: ScenarioContext,
  options: ClusterOptions,
  figures: Partial<ClusterFigures> = {},
): Promise<void> {
  const { checks } = ctx;
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
  try {
    const run = await runInstanceChaos(ctx, {
      emulator,
      instances: options.processes,
      kills: options.kills,
      events: options.events,
      timeoutMs: options.timeoutMs,
      noun: 'processes',
      logPrefix: 'cluster-server',
      random: seededRandom(ctx.seed + 17),
      eventSeed: ctx.seed + 17,
      runId: `cluster${ctx.seed}`,
      postTimeoutMs: 10_000,
      start: (_i, logFile, port) =>
        startKitServer({
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
          logFile,
          ...(port !== undefined ? { port } : {}),
        }),
    });
    const { sent, report, depths } = run;
    figures.claimLost = run.claimsLost.warnings;
    // A process being killed refuses no post: its connections drop (retried elsewhere).
    // A 5xx answer is a post the kit refused: a lock it could not wait out.
    const refused = [...sent.statusCounts].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
    figures.refused = refused;
    checks.check(
      'posts refused by the kit: 0 (no "database is locked")',
      refused === 0,
      `${refused} answered 5xx; statuses ${[...sent.statusCounts].map(([s, c]) => `${s}×${c}`).join(', ')}`,
    );
    figures.lost = report.lost.length;
    figures.resent = report.deduplicated;
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
    await emulator.close();
  }
}
