/**
 * The ingest floor: the least a route must do to honour the wire contract
 * (docs/product.md) for one browser event, written as one plain Hono handler
 * with nothing of the kit around it. It parses the JSON; normalizes, validates
 * and hashes the email and phone with the kit's own normalizers
 * (libphonenumber's full metadata, SHA-256 through @noble/hashes); looks the
 * `conversion_id` up for deduplication; inserts one row into a SQLite file
 * (WAL, `synchronous = FULL`, the inserts of one event-loop turn in one
 * transaction, like the kit's group commit); and answers 202
 * `{ conversion_id }` once that commit returned.
 *
 * It skips everything else the kit does: the other field rules, origin and
 * trust checks, the click cookie, request facts, counters, the backlog bound,
 * the claim indexes and the dispatcher. So the kit can come close to it but
 * not below it; the ingest benchmark measures both in the same run to show how
 * much of the kit's cost is this floor.
 *
 *   node --import tsx bench/servers/floor-server.ts --db /tmp/floor.db [--port 0]
 */
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { hashIdentifier, normalizeEmail, normalizePhone } from '@twclid-kit/server/core';
import Database from 'better-sqlite3';
import { Hono } from 'hono';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    db: { type: 'string' },
  },
});
if (!values.db) {
  console.error('floor-server: --db is required');
  process.exit(2);
}

const db = new Database(values.db);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(`CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dedup_key TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS events_dedup ON events (dedup_key, created_at);`);
const seen = db.prepare<[string], { id: number }>('SELECT id FROM events WHERE dedup_key = ?');
const insert = db.prepare('INSERT INTO events (dedup_key, payload, created_at) VALUES (?, ?, ?)');

/** The rows of this event-loop turn, committed together (one fsync). */
let waiting: { key: string; payload: string; done: () => void }[] = [];
const commit = db.transaction((rows: typeof waiting) => {
  const now = Date.now();
  for (const row of rows)
    if (seen.get(row.key) === undefined) insert.run(row.key, row.payload, now);
});
function store(key: string, payload: string): Promise<void> {
  return new Promise((done) => {
    if (waiting.length === 0) {
      setImmediate(() => {
        const rows = waiting;
        waiting = [];
        commit(rows);
        for (const row of rows) row.done();
      });
    }
    waiting.push({ key, payload, done });
  });
}

type Body = Record<string, unknown>;
const text = (body: Body, field: string): string | undefined =>
  typeof body[field] === 'string' ? (body[field] as string) : undefined;

const app = new Hono();
app.post('/tw/events', async (c) => {
  const body = (await c.req.json()) as Body;
  const conversionId = text(body, 'conversion_id');
  const eventId = text(body, 'event_id');
  if (!conversionId || !eventId) return c.json({ error: 'conversion_id and event_id' }, 400);
  const identifiers: Record<string, string>[] = [];
  const twclid = text(body, 'twclid');
  if (twclid) identifiers.push({ twclid });
  const email = text(body, 'email');
  if (email) {
    const normalized = normalizeEmail(email);
    if (!normalized.ok) return c.json({ error: 'email' }, 400);
    identifiers.push({ hashed_email: hashIdentifier(normalized.value) });
  }
  const phone = text(body, 'phone');
  if (phone) {
    const normalized = normalizePhone(phone, 'US');
    if (!normalized.ok) return c.json({ error: 'phone' }, 400);
    identifiers.push({ hashed_phone_number: hashIdentifier(normalized.value) });
  }
  const conversion = {
    conversion_time: new Date().toISOString(),
    event_id: eventId,
    conversion_id: conversionId,
    identifiers,
    value: body.value,
    price_currency: body.currency,
    number_items: body.number_items,
  };
  await store(`${eventId}\u0000${conversionId}`, JSON.stringify(conversion));
  return c.json({ conversion_id: conversionId }, 202);
});

const server = serve(
  { fetch: app.fetch, port: Number(values.port), hostname: '127.0.0.1' },
  (info) => {
    console.log(JSON.stringify({ ready: true, port: (info as AddressInfo).port }));
  },
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
