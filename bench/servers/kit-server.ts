/**
 * The kit as an app would run it: `twclidKit` mounted at `/tw` on a Hono app
 * served by @hono/node-server, with the SQLite outbox (default) or the memory
 * one, sending to an X Ads API at `--x-base-url` (the emulator) with OAuth 1.0a.
 * Benchmarks and the reliability suite start it as a child process (so it can
 * be SIGKILLed); it prints `{"ready":true,"port":N}` once listening and shuts
 * down gracefully on SIGTERM.
 *
 *   node --import tsx bench/servers/kit-server.ts --x-base-url http://127.0.0.1:4123 \
 *     [--store sqlite --db /tmp/outbox.db] [--no-deliver] [--port 0] [--batch-size 500]
 *     [--store postgres --pg-url postgres://… --pg-schema s] (X's budget then shared through Postgres)
 *     [--allowed-origins https://shop.example] [--timeout-ms 2000] [--flush-ms 1000] [--budget-limit N --budget-window-ms N] [--retry-base-ms N]
 *     [--trust-proxy] [--ip-rate-limit] [--browser-share 0.5] [--browser-backlog N] [--shop-routes]
 *
 * `--shop-routes` adds the merchant's own routes of the junk-flood scenario:
 * `POST /checkout` behind `kit.form()` (flow A; answers the form's
 * `c.var.conversion`) and `POST /api/pay` calling `kit.sendConversion()` (flow
 * C; JSON `{ order_id, twclid, email, value }`, answers its result).
 */
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { EMULATOR_DEFAULTS } from '@twclid-kit/emulator';
import {
  consoleLogger,
  createXClient,
  memoryOutbox,
  type OutboxStore,
  type TwclidEnv,
  twclidKit,
  type XAuth,
} from '@twclid-kit/server';
import { createRateBudget } from '@twclid-kit/server/core';
import { sqliteOutbox } from '@twclid-kit/server/sqlite';
import { Hono } from 'hono';
import { BENCH_ORIGIN } from '../lib/wire-events.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    store: { type: 'string', default: 'sqlite' },
    db: { type: 'string' },
    'pg-url': { type: 'string' },
    'pg-schema': { type: 'string' },
    'x-base-url': { type: 'string' },
    'no-deliver': { type: 'boolean', default: false },
    'timeout-ms': { type: 'string', default: '2000' },
    'flush-ms': { type: 'string' },
    'budget-limit': { type: 'string' },
    'budget-window-ms': { type: 'string' },
    'retry-base-ms': { type: 'string' },
    'batch-size': { type: 'string' },
    'allowed-origins': { type: 'string', default: BENCH_ORIGIN },
    'log-level': { type: 'string', default: 'info' },
    'trust-proxy': { type: 'boolean', default: false },
    'ip-rate-limit': { type: 'boolean', default: false },
    'browser-share': { type: 'string' },
    'browser-backlog': { type: 'string' },
    'shop-routes': { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  console.error(`kit-server: ${message}`);
  process.exit(2);
}

const baseUrl = values['x-base-url'] ?? fail('--x-base-url is required (the emulator URL)');
const store =
  values.store === 'memory'
    ? memoryOutbox()
    : values.store === 'sqlite'
      ? sqliteOutbox({ path: values.db ?? fail('--db is required with --store sqlite') })
      : values.store === 'postgres'
        ? await openPostgres()
        : fail(`--store must be sqlite, memory or postgres, got ${values.store}`);

/** Loaded only for `--store postgres`, so the other stores need no `pg`. */
async function openPostgres(): Promise<OutboxStore> {
  const { openPostgresOutbox } = await import('@twclid-kit/server/postgres');
  return openPostgresOutbox({
    connectionString: values['pg-url'] ?? fail('--pg-url is required with --store postgres'),
    ...(values['pg-schema'] ? { schema: values['pg-schema'] } : {}),
  });
}
const optionalNumber = (name: keyof typeof values): number | undefined => {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0)
    fail(`--${name} must be a non-negative number, got ${String(raw)}`);
  return n;
};

const d = EMULATOR_DEFAULTS;
const auth: XAuth = {
  kind: 'oauth1',
  consumerKey: d.consumerKey,
  consumerSecret: d.consumerSecret,
  accessToken: d.accessToken,
  accessTokenSecret: d.accessTokenSecret,
};
const budgetLimit = optionalNumber('budget-limit');
const budgetWindowMs = optionalNumber('budget-window-ms');
const flushMs = optionalNumber('flush-ms');
const retryBaseMs = optionalNumber('retry-base-ms');
const batchSize = optionalNumber('batch-size');
const browserShare = optionalNumber('browser-share');
const browserBacklog = optionalNumber('browser-backlog');
const level = values['log-level'];
if (level !== 'debug' && level !== 'info' && level !== 'warn' && level !== 'error') {
  fail(`--log-level must be debug, info, warn or error, got ${level}`);
}

const kit = twclidKit({
  pixelId: d.pixelId,
  adAccountId: d.accountId,
  events: Object.values(d.events).map((e) => e.id),
  store,
  client: createXClient({ baseUrl, auth, timeoutMs: optionalNumber('timeout-ms') ?? 2000 }),
  // Comma-separated; '' allows only the server's own origin.
  allowedOrigins: (values['allowed-origins'] ?? '').split(',').filter((o) => o !== ''),
  // Every request of a load generator comes from 127.0.0.1: a per-IP limit would
  // measure the limiter, not the route. `--ip-rate-limit` keeps the kit's default
  // (with `--trust-proxy`, per X-Forwarded-For address).
  ipRateLimit: values['ip-rate-limit'] ? {} : false,
  // The scenarios read depth and counters from /tw/health (bench/lib/kit-child.ts).
  healthDetails: true,
  ...(values['trust-proxy'] ? { trustProxy: 1 } : {}),
  ...(browserShare !== undefined ? { browserShare } : {}),
  ...(browserBacklog !== undefined ? { browserBacklog } : {}),
  defaultCountry: 'US',
  autoStart: !values['no-deliver'],
  logger: consoleLogger({ level }),
  ...(budgetLimit !== undefined || budgetWindowMs !== undefined ? { budget: budgetOf(store) } : {}),
  ...(flushMs !== undefined ? { flushIntervalMs: flushMs } : {}),
  ...(batchSize !== undefined ? { batchSize } : {}),
  ...(retryBaseMs !== undefined ? { retry: { backoff: { baseMs: retryBaseMs } } } : {}),
});

/**
 * The scaled budget: shared by every instance on a Postgres store or every
 * process on a SQLite file (the store keeps it), else this process's own.
 */
function budgetOf(outbox: OutboxStore) {
  const options = {
    ...(budgetLimit !== undefined ? { limit: budgetLimit } : {}),
    ...(budgetWindowMs !== undefined ? { windowMs: budgetWindowMs } : {}),
    // A request is in flight at most the client's timeout.
    inFlightMs: optionalNumber('timeout-ms') ?? 2000,
  };
  return outbox.rateBudget ? outbox.rateBudget(options) : createRateBudget(options);
}

const app = new Hono<TwclidEnv>();
app.route('/tw', kit);
if (values['shop-routes']) {
  const eventId = d.events.purchase.id;
  app.post('/checkout', kit.form({ eventId }), (c) => c.json(c.var.conversion ?? null));
  app.post('/api/pay', async (c) => {
    const body = (await c.req.json()) as Record<string, string>;
    return c.json(
      await kit.sendConversion(c, {
        eventId,
        ...(body.order_id ? { conversionId: body.order_id } : {}),
        ...(body.twclid ? { twclid: body.twclid } : {}),
        ...(body.email ? { email: body.email } : {}),
        ...(body.value ? { value: body.value, currency: 'USD' } : {}),
      }),
    );
  });
}

const server = serve(
  { fetch: app.fetch, port: Number(values.port), hostname: '127.0.0.1' },
  (info) => {
    console.log(
      JSON.stringify({ ready: true, port: (info as AddressInfo).port, pid: process.pid }),
    );
  },
);

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  void kit.shutdown({ timeoutMs: 5000 }).finally(() => server.close(() => process.exit(0)));
});
