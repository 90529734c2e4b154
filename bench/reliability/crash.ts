/**
 * Crash: N events through the route while the server process (kit server child,
 * SQLite outbox) is SIGKILLed K times at random moments and restarted on the same
 * port each time. The load generator retries an event (same conversion_id) until
 * the route answers 2xx and records which were accepted → every accepted event
 * is delivered and none is counted twice.
 */
import path from 'node:path';
import { startEmulator } from '@twclid-kit/emulator';
import { piiNeedles } from '../lib/fake-people.ts';
import { kitHealth, type ServerChild, startKitServer } from '../lib/kit-child.ts';
import { seededRandom } from '../lib/seeded-random.ts';
import { eventFactory } from '../lib/wire-events.ts';
import {
  checkCountedOnce,
  countingReport,
  type ScenarioContext,
  sample,
  waitForDrain,
} from './context.ts';
import { sendEvents } from './event-sender.ts';

export interface CrashOptions {
  events: number;
  kills: number;
  timeoutMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function crashScenario(ctx: ScenarioContext, options: CrashOptions): Promise<void> {
  const { checks } = ctx;
  const random = seededRandom(ctx.seed + 1);
  const emulator = await startEmulator({
    port: 0,
    maxEvents: options.events * 3,
    maxConversions: options.events * 2,
    // X takes a moment to answer, so batches are in flight for a good part of the
    // run and some kills land between X counting a batch and the outbox marking it
    // delivered: those batches are sent again and must be deduplicated, not counted twice.
    faults: { latencyMs: 250 },
  });
  const db = path.join(ctx.dir, 'crash.db');
  const log = path.join(ctx.dir, 'crash-server.log');
  for (const f of [db, `${db}-wal`, `${db}-shm`, log]) ctx.artifacts.add(f);
  const start = (port?: number): Promise<ServerChild> =>
    startKitServer({
      xBaseUrl: emulator.url,
      store: 'sqlite',
      db,
      logFile: log,
      ...(port !== undefined ? { port } : {}),
    });
  let server = await start();
  const port = server.ready.port;
  const deadline = Date.now() + options.timeoutMs;
  let kills = 0;
  let restarts = 0;
  const restartErrors: string[] = [];
  let sending = true;
  try {
    const killer = (async () => {
      for (let k = 0; k < options.kills; k++) {
        // Random moments, early and late, while events arrive or are being delivered.
        await sleep(random.int(300, 2500));
        if (Date.now() > deadline) break;
        process.kill(server.pid, 'SIGKILL');
        const exit = await server.exited;
        if (exit.signal === 'SIGKILL') kills++;
        // The port may take a moment to be free again; retry the start briefly.
        for (let attempt = 1; ; attempt++) {
          try {
            server = await start(port);
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
    const sent = await sendEvents({
      events: eventFactory({ seed: ctx.seed + 1, runId: `crash${ctx.seed}` }),
      count: options.events,
      concurrency: 8,
      baseUrl: () => `http://127.0.0.1:${port}`,
      retryUntil: deadline,
      timeoutMs: 5000,
      onEvent: (e) => {
        for (const n of piiNeedles(e.person)) ctx.pii.add(n);
      },
    }).finally(() => {
      sending = false;
    });
    await killer;
    checks.check(
      `server SIGKILLed ${options.kills} times and restarted each time`,
      kills === options.kills && restarts === options.kills,
      `${kills} kills, ${restarts} restarts${sending ? ' (kills continued after intake)' : ''}${restartErrors.length ? `; ${restartErrors[0]}` : ''}`,
    );
    checks.check(
      `all ${options.events} events eventually accepted by the route`,
      sent.accepted.size === options.events,
      `${sent.accepted.size} accepted, ${sent.retriedAttempts} attempts retried while the server was down${sent.failed.length ? `; failed ${sample(sent.failed.map((f) => `${f.conversionId}: ${f.reason}`))}` : ''}`,
    );
    const drain = await waitForDrain(emulator, () => port, sent.accepted.size, deadline);
    const health = await kitHealth(port);
    const report = countingReport(emulator, sent.accepted);
    checkCountedOnce(checks, { drain, report, accepted: sent.accepted, dead: health.dead });
  } finally {
    await server.stop('SIGTERM');
    await emulator.close();
  }
}
