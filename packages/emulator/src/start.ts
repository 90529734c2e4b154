/**
 * Serving the emulator over HTTP with @hono/node-server.
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createEmulator, type Emulator, type EmulatorInspector } from './app.ts';
import type { EmulatorClock } from './clock.ts';
import type { EmulatorOptions, ResolvedConfig } from './config.ts';
import type { FaultConfig } from './faults.ts';

export interface StartOptions extends EmulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  hostname?: string;
}

export interface EmulatorHandle {
  /** Base URL, e.g. `http://127.0.0.1:4123` (use as X_ADS_API_BASE_URL). */
  url: string;
  port: number;
  /** The same in-process inspection API the HTTP endpoints serve. */
  state: EmulatorInspector;
  clock: EmulatorClock;
  config: ResolvedConfig;
  faults(): FaultConfig;
  setFaults(update: Partial<FaultConfig>): FaultConfig;
  issuedTokens: Emulator['issuedTokens'];
  app: Emulator['app'];
  /** Stops listening, releases hung requests and closes open connections. */
  close(): Promise<void>;
}

/**
 * Starts the emulator on a port (0 = a free one) and resolves once it listens.
 *
 * @example
 * const x = await startEmulator({ port: 0, faults: { serverErrorRate: 0.2, seed: 7 } });
 * process.env.X_ADS_API_BASE_URL = x.url;
 * // ... run the code under test ...
 * x.state.conversions(); await x.close();
 */
export async function startEmulator(options: StartOptions = {}): Promise<EmulatorHandle> {
  const { port = 0, hostname = '127.0.0.1', ...rest } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`port: must be an integer between 0 and 65535 (got ${String(port)})`);
  }
  const emulator = createEmulator(rest);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: emulator.app.fetch, port, hostname }, () =>
      resolve(s as Server),
    ) as Server;
    s.once('error', reject);
  });
  // A dropped or hung connection is deliberate; keep its socket errors quiet.
  server.on('clientError', (_err, socket) => socket.destroy());
  const address = server.address() as AddressInfo;
  const host = hostname.includes(':') ? `[${hostname}]` : hostname;
  const url = `http://${host}:${address.port}`;
  let closed: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    state: emulator.state,
    clock: emulator.clock,
    config: emulator.config,
    faults: emulator.faults,
    setFaults: emulator.setFaults,
    issuedTokens: emulator.issuedTokens,
    app: emulator.app,
    close() {
      closed ??= new Promise<void>((resolve) => {
        emulator.releaseHung();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
