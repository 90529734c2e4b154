/**
 * What the multi-instance scenarios share (cluster: processes on one SQLite
 * file; postgres-chaos: instances on one PostgreSQL): start the kit servers,
 * post events round-robin while random ones are SIGKILLed and restarted on
 * their port, watch the shared outbox's depth, wait for the drain, and check
 * every accepted event counted once and no live claim taken over (the
 * `outbox.claim_lost` warnings in the servers' logs: a settle whose claim
 * another instance had recovered, i.e. a batch that may have gone out twice).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { EmulatorHandle } from '@twclid-kit/emulator';
import { piiNeedles } from '../lib/fake-people.ts';
import { kitHealth, type ServerChild } from '../lib/kit-child.ts';
import type { Random } from '../lib/seeded-random.ts';
import { eventFactory } from '../lib/wire-events.ts';
import {
  type CountingReport,
  checkCountedOnce,
  countingReport,
  type ScenarioContext,
  sample,
  waitForDrain,
} from './context.ts';
import { type SendReport, sendEvents } from './event-sender.ts';

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
  options: { limit: number; windowMs: number },
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

/** `outbox.claim_lost` warnings in kit logs (JSON lines) and the events they name. */
export function claimsLost(logFiles: Iterable<string>): { warnings: number; events: number } {
  let warnings = 0;
  let events = 0;
  for (const file of logFiles) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.includes('"outbox.claim_lost"')) continue;
      warnings++;
      try {
        events += Number((JSON.parse(line) as { events?: unknown }).events) || 0;
      } catch {
        // A line cut by a SIGKILL still counts as a warning.
      }
    }
  }
  return { warnings, events };
}

export interface InstanceChaosOptions {
  emulator: EmulatorHandle;
  instances: number;
  kills: number;
  events: number;
  timeoutMs: number;
  /** What the checks call an instance: "processes", "instances". */
  noun: string;
  /** Log files are `<logPrefix>-<i>.log` in the scenario's directory. */
  logPrefix: string;
  random: Random;
  /** Seed and run ID of the posted events. */
  eventSeed: number;
  runId: string;
  /** How long one post may take before it is retried. */
  postTimeoutMs: number;
  /** Starts instance `i` logging to `logFile` (on `port` when it is a restart). */
  start: (i: number, logFile: string, port?: number) => Promise<ServerChild>;
}

export interface InstanceChaosRun {
  sent: SendReport;
  report: CountingReport;
  /** The shared outbox's depth over the run, read from any live instance. */
  depths: { at: number; depth: number }[];
  claimsLost: { warnings: number; events: number };
}

/**
 * Runs the instances through kills while the events are posted, checks the
 * kills, the intake, the counting and the claims, and stops the instances
 * (the emulator stays up for the caller's budget checks).
 */
export async function runInstanceChaos(
  ctx: ScenarioContext,
  o: InstanceChaosOptions,
): Promise<InstanceChaosRun> {
  const { checks } = ctx;
  const logs = new Set<string>();
  const start = (i: number, port?: number): Promise<ServerChild> => {
    const log = path.join(ctx.dir, `${o.logPrefix}-${i}.log`);
    ctx.artifacts.add(log);
    logs.add(log);
    return o.start(i, log, port);
  };
  const servers: ServerChild[] = [];
  // The depth watcher polls until the end, also when the scenario throws.
  let watching = true;
  let run: Omit<InstanceChaosRun, 'claimsLost'>;
  try {
    for (let i = 0; i < o.instances; i++) servers.push(await start(i));
    const ports = servers.map((s) => s.ready.port);
    const deadline = Date.now() + o.timeoutMs;
    const depths: { at: number; depth: number }[] = [];
    const watcher = (async () => {
      while (watching) {
        // Any live instance reads the depth of the one shared outbox.
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
      for (let k = 0; k < o.kills; k++) {
        await sleep(o.random.int(300, 2500));
        if (Date.now() > deadline) break;
        const i = o.random.int(0, o.instances - 1);
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
      events: eventFactory({ seed: o.eventSeed, runId: o.runId }),
      count: o.events,
      concurrency: 8,
      // Round-robin over the instances, as a load balancer or the cluster module would.
      baseUrl: () => `http://127.0.0.1:${ports[next++ % ports.length]}`,
      retryUntil: deadline,
      timeoutMs: o.postTimeoutMs,
      onEvent: (e) => {
        for (const n of piiNeedles(e.person)) ctx.pii.add(n);
      },
    });
    await killer;
    checks.check(
      `${o.kills} SIGKILLs of random ${o.noun}, each restarted`,
      killed.kills === o.kills && killed.restarts === o.kills,
      `${killed.kills} kills, ${killed.restarts} restarts${killed.errors.length ? `; ${killed.errors[0]}` : ''}`,
    );
    checks.check(
      `all ${o.events} events eventually accepted`,
      sent.accepted.size === o.events,
      `${sent.accepted.size} accepted, ${sent.retriedAttempts} attempts retried (connections cut by kills)${sent.failed.length ? `; failed ${sample(sent.failed.map((f) => `${f.conversionId}: ${f.reason}`))}` : ''}`,
    );
    const port0 = () => ports[0] as number;
    const drain = await waitForDrain(o.emulator, port0, sent.accepted.size, deadline);
    watching = false;
    await watcher;
    const health = await kitHealth(port0());
    const report = countingReport(o.emulator, sent.accepted);
    checkCountedOnce(checks, { drain, report, accepted: sent.accepted, dead: health.dead });
    run = { sent, report, depths };
  } finally {
    watching = false;
    await Promise.all(servers.map((s) => s.stop('SIGTERM').catch(() => {})));
  }
  // Read once every instance has stopped, so their shutdown's settles are in the logs too.
  const lost = claimsLost(logs);
  checks.check(
    'sent twice because a live claim was recovered: 0 (no outbox.claim_lost in any log)',
    lost.warnings === 0,
    `${lost.warnings} outbox.claim_lost warnings (${lost.events} events) in ${logs.size} logs`,
  );
  return { ...run, claimsLost: lost };
}
