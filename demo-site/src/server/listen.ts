/**
 * Starts `@hono/node-server` with timeouts suited to a public endpoint. Node's
 * defaults let a client hold a connection for 300 s by sending its body a byte
 * at a time; a few thousand such clients exhaust the process. A conversion post
 * is a few hundred bytes, so 30 s for a whole request and 10 s for its headers
 * is generous for real visitors and cuts slow-body clients off.
 */
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';

export interface PublicServerTimeouts {
  /** Longest time to receive a whole request (Node's `requestTimeout`). */
  requestTimeout: number;
  /** Longest time to receive the request headers (Node's `headersTimeout`). */
  headersTimeout: number;
  /** How long an idle keep-alive connection stays open. */
  keepAliveTimeout: number;
  /** How often Node checks the two limits above (its default is 30 s). */
  connectionsCheckingInterval: number;
}

export const PUBLIC_SERVER_TIMEOUTS: PublicServerTimeouts = {
  requestTimeout: 30_000,
  headersTimeout: 10_000,
  keepAliveTimeout: 5_000,
  connectionsCheckingInterval: 5_000,
};

export interface ListenOptions {
  fetch: (request: Request) => Response | Promise<Response>;
  port: number;
  hostname: string;
  timeouts?: Partial<PublicServerTimeouts>;
}

/** Resolves with the listening server, or rejects with the listen error (e.g. EADDRINUSE). */
export function listen(options: ListenOptions): Promise<Server> {
  const serverOptions = { ...PUBLIC_SERVER_TIMEOUTS, ...options.timeouts };
  return new Promise<Server>((ready, reject) => {
    const s = serve({
      fetch: options.fetch,
      port: options.port,
      hostname: options.hostname,
      serverOptions,
    }) as Server;
    s.once('listening', () => ready(s));
    s.once('error', reject);
  });
}
