/** Starting the bench's kit server (and the bare baseline) as child processes. */
import path from 'node:path';
import { SERVERS_DIR } from './paths.ts';
import { type Child, startTsChild } from './processes.ts';

export interface KitServerOptions {
  xBaseUrl: string;
  store: 'sqlite' | 'memory' | 'postgres';
  db?: string;
  /** With `store: 'postgres'`: the server's URL and the schema (X's budget is then shared). */
  pgUrl?: string;
  pgSchema?: string;
  deliver?: boolean;
  timeoutMs?: number;
  flushMs?: number;
  budgetLimit?: number;
  budgetWindowMs?: number;
  retryBaseMs?: number;
  batchSize?: number;
  /** Origins besides the server's own; default the bench shop origin. */
  allowedOrigins?: readonly string[];
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  port?: number;
  logFile?: string;
  /** Trust one proxy hop: each request's address is its `X-Forwarded-For`. */
  trustProxy?: boolean;
  /** Keep the kit's per-IP limit on `/events` (off by default: a load generator has one address). */
  ipRateLimit?: boolean;
  browserShare?: number;
  browserBacklog?: number;
  /** The merchant's own routes: `POST /checkout` (`kit.form()`) and `POST /api/pay` (`sendConversion()`). */
  shopRoutes?: boolean;
}

export type ServerChild = Child<{ ready: true; port: number }>;

export function startKitServer(options: KitServerOptions): Promise<ServerChild> {
  const args = ['--x-base-url', options.xBaseUrl, '--store', options.store];
  if (options.db) args.push('--db', options.db);
  if (options.pgUrl) args.push('--pg-url', options.pgUrl);
  if (options.pgSchema) args.push('--pg-schema', options.pgSchema);
  if (options.deliver === false) args.push('--no-deliver');
  const numeric: [string, number | undefined][] = [
    ['--timeout-ms', options.timeoutMs],
    ['--flush-ms', options.flushMs],
    ['--budget-limit', options.budgetLimit],
    ['--budget-window-ms', options.budgetWindowMs],
    ['--retry-base-ms', options.retryBaseMs],
    ['--batch-size', options.batchSize],
    ['--port', options.port],
    ['--browser-share', options.browserShare],
    ['--browser-backlog', options.browserBacklog],
  ];
  for (const [flag, value] of numeric) if (value !== undefined) args.push(flag, String(value));
  if (options.logLevel) args.push('--log-level', options.logLevel);
  if (options.trustProxy) args.push('--trust-proxy');
  if (options.ipRateLimit) args.push('--ip-rate-limit');
  if (options.shopRoutes) args.push('--shop-routes');
  if (options.allowedOrigins) args.push('--allowed-origins', options.allowedOrigins.join(','));
  return startTsChild(path.join(SERVERS_DIR, 'kit-server.ts'), {
    args,
    ...(options.logFile ? { logFile: options.logFile } : {}),
  });
}

export function startBareServer(options: { readJson?: boolean } = {}): Promise<ServerChild> {
  return startTsChild(path.join(SERVERS_DIR, 'bare-server.ts'), {
    args: options.readJson ? ['--read-json'] : [],
  });
}

/** The ingest floor (`bench/servers/floor-server.ts`) on its own SQLite file. */
export function startFloorServer(options: { db: string }): Promise<ServerChild> {
  return startTsChild(path.join(SERVERS_DIR, 'floor-server.ts'), { args: ['--db', options.db] });
}

/**
 * `GET /tw/health` of a kit server, with its details: the bench kit server sets
 * `healthDetails: true` (a kit's public answer is `{ status }` only).
 */
export async function kitHealth(port: number): Promise<KitHealth> {
  const response = await fetch(`http://127.0.0.1:${port}/tw/health`);
  if (!response.ok) throw new Error(`/tw/health answered ${response.status}`);
  const health = (await response.json()) as KitHealth;
  if (typeof health.depth !== 'number') {
    throw new Error(
      '/tw/health answered { status } only: the kit server needs healthDetails: true',
    );
  }
  return health;
}

/** The parts of the kit's health/stats answer the benchmarks read. */
export interface KitHealth {
  status: string;
  depth: number;
  pending: number;
  inFlight: number;
  delivered: number;
  dead: number;
  counters: {
    accepted: number;
    duplicates: number;
    suppressed: number;
    spam: number;
    rejected: number;
    formSkipped: number;
  };
}
