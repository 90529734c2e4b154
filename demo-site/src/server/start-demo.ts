/**
 * Starts the whole demo in this process: the X emulator (unless the
 * configuration points at another X endpoint), the kit with its SQLite outbox,
 * and the shop on `@hono/node-server`. Used by `npm run demo` and the
 * screenshot script.
 */
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EmulatorHandle, startEmulator } from '@twclid-kit/emulator';
import { configFromEnv, type Logger, type TwclidKitConfig, twclidKit } from '@twclid-kit/server';
import { sqliteOutbox } from '@twclid-kit/server/sqlite';
import type { SiteConfig } from '../pages/site.ts';
import { createDemoApp } from './app.tsx';
import { type DemoConfig, emulatorEnv } from './config.ts';
import { createDashboardSource } from './dashboard-source.ts';
import { createEmulatorClient } from './emulator-client.ts';
import { listen } from './listen.ts';
import { outboxView } from './outbox-view.ts';
import { createXCountedSource } from './x-counted.ts';

/** X's own uwt.js, used when the demo talks to real X. */
export const X_PIXEL_SRC = 'https://static.ads-twitter.com/uwt.js';

/** The built files the demo serves: its Vite output and the kit's IIFE. */
export const ASSETS = {
  dir: fileURLToPath(new URL('../../dist/assets', import.meta.url)),
  kitScript: fileURLToPath(import.meta.resolve('@twclid-kit/browser/twclid.iife.js')),
};

export interface RunningDemo {
  /** The shop, e.g. `http://127.0.0.1:3000`. */
  url: string;
  port: number;
  /** The X endpoint conversions go to. */
  xBaseUrl: string;
  /** Set when the demo started its own emulator. */
  emulator?: EmulatorHandle;
  /** `true` when the X endpoint is an emulator (its own or one started elsewhere). */
  isEmulator: boolean;
  /** Stops intake, flushes the outbox (bounded), closes the server and the emulator it started. */
  close(): Promise<{ drained: boolean }>;
}

export interface StartDemoOptions {
  /** The kit's logger. Default: JSON lines on the console. */
  logger?: Logger;
}

export async function startDemo(
  config: DemoConfig,
  options: StartDemoOptions = {},
): Promise<RunningDemo> {
  for (const file of [ASSETS.kitScript, resolve(ASSETS.dir, 'dashboard.js')]) {
    if (!existsSync(file)) {
      throw new Error(`${file} is missing: run \`npm run demo\`, which builds it first`);
    }
  }

  let emulator: EmulatorHandle | undefined;
  let x: TwclidKitConfig;
  if (config.target.kind === 'local-emulator') {
    emulator = await startEmulator({ port: config.target.port, hostname: '127.0.0.1' });
    x = configFromEnv({ ...emulatorEnv(emulator.url), PORT: String(config.port) });
  } else {
    x = config.target.x;
  }
  // An emulator started elsewhere is recognised by its inspection API; real X has none.
  const inspector = createEmulatorClient(x.baseUrl);
  const isEmulator = emulator !== undefined || (await inspector.probe());

  const store = sqliteOutbox({ path: config.dbPath });
  const kit = twclidKit({
    pixelId: x.pixelId,
    auth: x.auth,
    baseUrl: x.baseUrl,
    version: x.version,
    ...(x.adAccountId ? { adAccountId: x.adAccountId } : {}),
    events: Object.values(config.events),
    store,
    flushIntervalMs: config.flushIntervalMs,
    // The demo's /tw/health shows the full stats (depth, counters) to everyone, which the
    // end-to-end tests read; a shop leaves this off or sets a token.
    healthDetails: true,
    ...(options.logger ? { logger: options.logger } : {}),
  });

  const site: SiteConfig = {
    pixelId: x.pixelId,
    events: config.events,
    pixelSrc: isEmulator ? `${x.baseUrl}/uwt.js` : X_PIXEL_SRC,
    kitMount: '/tw',
    ...(isEmulator ? { emulatorUrl: x.baseUrl } : {}),
  };
  const emulatorParts = isEmulator ? { emulator: inspector } : {};
  const xCounted = createXCountedSource({
    x,
    store,
    events: Object.values(config.events),
    ...(config.xCountedRefreshMs !== undefined ? { refreshMs: config.xCountedRefreshMs } : {}),
    pollMs: isEmulator ? 200 : 5_000,
  });
  const app = createDemoApp({
    site,
    kit,
    dashboard: createDashboardSource({
      ...emulatorParts,
      outbox: async () => outboxView(await kit.stats(), kit.dispatcher.state().batchesSent),
      xCounted: xCounted.current,
    }),
    ...emulatorParts,
    assets: ASSETS,
  });

  let server: Server;
  try {
    server = await listen({ fetch: app.fetch, port: config.port, hostname: config.host });
  } catch (error) {
    await kit.shutdown({ timeoutMs: 0 });
    await emulator?.close();
    const code = (error as NodeJS.ErrnoException).code;
    throw code === 'EADDRINUSE' ? new Error(`PORT: ${config.port} is in use; set PORT`) : error;
  }
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  let closing: Promise<{ drained: boolean }> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    xBaseUrl: x.baseUrl,
    ...(emulator ? { emulator } : {}),
    isEmulator,
    close() {
      closing ??= (async () => {
        server.close();
        server.closeAllConnections();
        const { drained } = await kit.shutdown({ timeoutMs: 5_000 });
        await emulator?.close();
        return { drained };
      })();
      return closing;
    },
  };
}
