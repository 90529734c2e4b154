import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerChild, startFloorServer } from '../lib/kit-child.ts';
import { EVENT_HEADERS, eventFactory } from '../lib/wire-events.ts';

// The ingest floor must do the work it claims (docs in floor-server.ts), or the
// benchmark's kit-vs-floor ratio means nothing.
describe('the ingest floor server', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'twclid-floor-'));
  const db = path.join(dir, 'floor.db');
  let server: ServerChild;
  beforeAll(async () => {
    server = await startFloorServer({ db });
  }, 30_000);
  afterAll(async () => {
    await server?.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });
  const post = (body: string) =>
    fetch(`http://127.0.0.1:${server.ready.port}/tw/events`, {
      method: 'POST',
      headers: EVENT_HEADERS,
      body,
    });

  it('stores one row per conversion with hashed identifiers only, and answers 202 once committed', async () => {
    const { event, body } = eventFactory({ seed: 3 }).next();
    const first = await post(body);
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ conversion_id: event.conversion_id });
    expect((await post(body)).status).toBe(202);
    const reader = new Database(db, { readonly: true });
    const rows = reader.prepare('SELECT payload FROM events').all() as { payload: string }[];
    reader.close();
    expect(rows).toHaveLength(1);
    const stored = JSON.parse(rows[0]?.payload ?? '{}');
    expect(stored.identifiers.map((i: object) => Object.keys(i)[0])).toEqual([
      'twclid',
      'hashed_email',
      'hashed_phone_number',
    ]);
    expect(rows[0]?.payload).not.toContain(String(event.email));
  });

  it('refuses an invalid phone number instead of hashing it', async () => {
    const { event } = eventFactory({ seed: 4 }).next();
    const response = await post(JSON.stringify({ ...event, phone: '+1 555 0100 99' }));
    expect(response.status).toBe(400);
  });
});
