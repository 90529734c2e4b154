/**
 * Bad input: M generated malformed requests (see malformed-requests.ts) to the
 * kit server (child process, SQLite outbox, delivering to the emulator) →
 * only 4xx answers, each with a JSON error body, the process alive, nothing
 * enqueued (kit counters, outbox rows, emulator).
 */
import path from 'node:path';
import { startEmulator } from '@twclid-kit/emulator';
import Database from 'better-sqlite3';
import { kitHealth, startKitServer } from '../lib/kit-child.ts';
import { type ScenarioContext, sample } from './context.ts';
import { malformedRequests } from './malformed-requests.ts';
import { sendRaw } from './raw-http.ts';

export interface BadInputOptions {
  requests: number;
  timeoutMs: number;
}

/** Rows in every table of a SQLite file (independent of the outbox's schema). */
export function countAllRows(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all() as { name: string }[];
    let rows = 0;
    for (const { name } of tables) {
      rows += (
        db.prepare(`SELECT count(*) AS n FROM "${name.replaceAll('"', '""')}"`).get() as {
          n: number;
        }
      ).n;
    }
    return rows;
  } finally {
    db.close();
  }
}

export async function badInputScenario(
  ctx: ScenarioContext,
  options: BadInputOptions,
): Promise<void> {
  const { checks } = ctx;
  const emulator = await startEmulator({ port: 0 });
  const db = path.join(ctx.dir, 'bad-input.db');
  const log = path.join(ctx.dir, 'bad-input-server.log');
  for (const f of [db, `${db}-wal`, `${db}-shm`, log]) ctx.artifacts.add(f);
  const server = await startKitServer({
    xBaseUrl: emulator.url,
    store: 'sqlite',
    db,
    logFile: log,
  });
  const deadline = Date.now() + options.timeoutMs;
  try {
    const requests = malformedRequests(options.requests, ctx.seed);
    for (const r of requests) for (const p of r.pii) ctx.pii.add(p);
    const byKind = new Map<string, Map<string, number>>();
    const not4xx: string[] = [];
    let withoutJsonError = 0;
    let next = 0;
    let sent = 0;
    const worker = async (): Promise<void> => {
      while (next < requests.length && Date.now() < deadline) {
        const req = requests[next++];
        if (!req) break;
        const answer = await sendRaw(server.ready.port, req);
        sent++;
        const key = 'status' in answer ? String(answer.status) : 'no answer';
        const kinds = byKind.get(req.kind) ?? new Map<string, number>();
        kinds.set(key, (kinds.get(key) ?? 0) + 1);
        byKind.set(req.kind, kinds);
        if (!('status' in answer) || answer.status < 400 || answer.status > 499) {
          not4xx.push(
            `${req.kind}${req.chunks ? ' (chunked)' : ''} → ${'status' in answer ? `${answer.status} ${answer.body.slice(0, 120)}` : answer.error}`,
          );
        } else {
          try {
            const parsed = JSON.parse(answer.body) as { error?: { code?: unknown } };
            if (typeof parsed.error?.code !== 'string') withoutJsonError++;
          } catch {
            withoutJsonError++;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const summary = [...byKind]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, statuses]) => `${kind} ${[...statuses].map(([s, n]) => `${s}×${n}`).join('/')}`)
      .join('; ');
    console.log(`    answers by kind: ${summary}`);
    checks.check(
      `all ${options.requests} malformed requests sent`,
      sent === options.requests,
      `${sent} sent`,
    );
    checks.check(
      'only 4xx answers',
      not4xx.length === 0 && sent > 0,
      not4xx.length ? `${not4xx.length} not 4xx, ${sample(not4xx, 3)}` : `${sent} × 4xx`,
    );
    checks.check(
      'every 4xx carries a JSON error body',
      withoutJsonError === 0,
      `${withoutJsonError} without {"error":{"code":…}}`,
    );
    checks.check(
      'the server process is alive',
      server.alive(),
      server.alive() ? `pid ${server.pid}` : 'exited',
    );
    const health = await kitHealth(server.ready.port).catch((e: unknown) => e as Error);
    if (health instanceof Error) {
      checks.check('the server still answers /health', false, health.message);
    } else {
      checks.check(
        'nothing enqueued (kit counters and outbox)',
        health.counters.accepted === 0 &&
          health.counters.duplicates === 0 &&
          health.depth === 0 &&
          health.delivered === 0 &&
          health.dead === 0,
        `accepted ${health.counters.accepted}, depth ${health.depth}, delivered ${health.delivered}, dead ${health.dead}, rejected ${health.counters.rejected}`,
      );
    }
    // Give a (wrongly) woken dispatcher the chance to send before looking at X's side.
    await new Promise((r) => setTimeout(r, 1500));
    const rows = countAllRows(db);
    checks.check('no row in the SQLite outbox file', rows === 0, `${rows} rows`);
    const received = emulator.state.stats().received.capi;
    checks.check(
      'nothing reached the emulator',
      received === 0,
      `${received} conversions received`,
    );
  } finally {
    await server.stop('SIGTERM');
    await emulator.close();
  }
}
