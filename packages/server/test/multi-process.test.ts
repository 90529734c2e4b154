/**
 * The outbox contract across processes: several real child processes on one
 * SQLite file (real better-sqlite3), each enqueueing and claiming at the same
 * time, as Node's cluster module or PM2 run an app. No claim is taken twice
 * (while its lease holds), no row is lost, a conversion_id every process
 * enqueues is stored once, and start-up recovery never resets a live claim.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteOutbox } from '../src/outbox-sqlite.ts';

const dir = mkdtempSync(join(tmpdir(), 'twclid-multi-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const WORKER = resolve(dirname(fileURLToPath(import.meta.url)), 'fixtures/outbox-worker.ts');

interface Report {
  name: string;
  recovered: number;
  claimed: number[];
  settled: number;
  stale: number;
  rescheduled: number;
}

function worker(db: string, name: string, events: number, shared: number): Promise<Report> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
      env: {
        ...process.env,
        TWCLID_KIT_DB: db,
        WORKER: name,
        EVENTS: String(events),
        SHARED: String(shared),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once('exit', (code) => {
      if (code !== 0) fail(new Error(`${name} exited ${code}: ${err}`));
      else done(JSON.parse(out.trim().split('\n').at(-1) as string) as Report);
    });
  });
}

describe('sqliteOutbox shared by several processes', () => {
  it('3 processes enqueue and claim at once: no claim taken twice, no row lost, shared keys stored once', async () => {
    const db = join(dir, 'shared.db');
    // Created first, as the first process to start would.
    await sqliteOutbox({ path: db }).close();
    const own = 300;
    const shared = 100;
    const reports = await Promise.all(['a', 'b', 'c'].map((name) => worker(db, name, own, shared)));
    const expected = 3 * own + shared;

    // Each worker recovered nothing: the others' claims were live.
    expect(reports.map((r) => r.recovered)).toEqual([0, 0, 0]);
    // Every claim went to one process only; a rescheduled event is claimed once more.
    const claims = reports.flatMap((r) => r.claimed);
    const rescheduled = reports.reduce((n, r) => n + r.rescheduled, 0);
    expect(claims.length).toBe(expected + rescheduled);
    const perId = new Map<number, number>();
    for (const id of claims) perId.set(id, (perId.get(id) ?? 0) + 1);
    expect(perId.size).toBe(expected);
    expect(Math.max(...perId.values())).toBeLessThanOrEqual(2);
    expect(reports.reduce((n, r) => n + r.stale, 0)).toBe(0);
    expect(reports.reduce((n, r) => n + r.settled, 0)).toBe(expected);
    // Each process took its share of the work.
    expect(reports.every((r) => r.settled > 0)).toBe(true);

    const store = sqliteOutbox({ path: db });
    expect(await store.stats(Date.now())).toMatchObject({
      pending: 0,
      inFlight: 0,
      dead: 0,
      delivered: expected,
    });
    await store.close();
  }, 120_000);
});
