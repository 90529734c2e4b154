/**
 * Faults: N events through the route (kit server child, SQLite outbox) to the
 * emulator answering 20% of requests 5xx, 5% never (timeouts) and 5% 429
 * with Retry-After → every event counted exactly once, none dead-lettered.
 */
import path from 'node:path';
import { startEmulator } from '@twclid-kit/emulator';
import { piiNeedles } from '../lib/fake-people.ts';
import { kitHealth, startKitServer } from '../lib/kit-child.ts';
import { eventFactory } from '../lib/wire-events.ts';
import {
  checkCountedOnce,
  countingReport,
  type ScenarioContext,
  sample,
  waitForDrain,
} from './context.ts';
import { sendEvents } from './event-sender.ts';

export interface FaultsOptions {
  events: number;
  /** Upper bound for the whole scenario. */
  timeoutMs: number;
}

export async function faultsScenario(ctx: ScenarioContext, options: FaultsOptions): Promise<void> {
  const { checks } = ctx;
  const emulator = await startEmulator({
    port: 0,
    maxEvents: options.events * 3,
    maxConversions: options.events * 2,
    faults: {
      seed: ctx.seed,
      serverErrorRate: 0.2,
      timeoutRate: 0.05,
      rateLimitRate: 0.05,
      retryAfterSeconds: 1,
    },
  });
  const db = path.join(ctx.dir, 'faults.db');
  const log = path.join(ctx.dir, 'faults-server.log');
  for (const f of [db, `${db}-wal`, `${db}-shm`, log]) ctx.artifacts.add(f);
  const server = await startKitServer({
    xBaseUrl: emulator.url,
    store: 'sqlite',
    db,
    // A hung request is abandoned after 2 s and retried; backoff starts at 200 ms so the
    // scenario stays short (the policy's shape, not its scale, is under test).
    timeoutMs: 2000,
    retryBaseMs: 200,
    // Faults strike requests, not events: batches of ~1% of the run give ≥ 100 requests
    // to fault (at 500 per batch, 10,000 events would be only 20 requests).
    batchSize: Math.min(500, Math.max(10, Math.floor(options.events / 100))),
    logFile: log,
  });
  const deadline = Date.now() + options.timeoutMs;
  try {
    const sent = await sendEvents({
      events: eventFactory({ seed: ctx.seed, runId: `faults${ctx.seed}` }),
      count: options.events,
      concurrency: 8,
      baseUrl: () => `http://127.0.0.1:${server.ready.port}`,
      onEvent: (e) => {
        for (const n of piiNeedles(e.person)) ctx.pii.add(n);
      },
    });
    checks.check(
      `all ${options.events} events accepted by the route`,
      sent.accepted.size === options.events,
      `${sent.accepted.size} answered 2xx${sent.failed.length ? `; failed ${sample(sent.failed.map((f) => `${f.conversionId}: ${f.reason}`))}` : ''}`,
    );
    const drain = await waitForDrain(
      emulator,
      () => server.ready.port,
      sent.accepted.size,
      deadline,
    );
    const health = await kitHealth(server.ready.port);
    const report = countingReport(emulator, sent.accepted);
    const faults = emulator.state.stats().faults;
    checks.check(
      'faults were injected (5xx, timeouts, 429)',
      faults.server_error > 0 && faults.timeout > 0 && faults.rate_limited > 0,
      `${faults.server_error} × 5xx, ${faults.timeout} timeouts, ${faults.rate_limited} × 429 over ${emulator.state.stats().requests.capi} requests`,
    );
    checkCountedOnce(checks, { drain, report, accepted: sent.accepted, dead: health.dead });
  } finally {
    await server.stop('SIGTERM');
    await emulator.close();
  }
}
