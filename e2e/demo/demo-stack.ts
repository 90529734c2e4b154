import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMULATOR_DEFAULTS } from '@twclid-kit/emulator';
import { buildDemoAssets } from './build-assets.ts';
import { waitFor } from './wait-for.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

/** A free TCP port on 127.0.0.1 (asked from the OS, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(),
      );
    });
  });
}

interface Child {
  name: string;
  process: ChildProcess;
  output: string[];
}

function start(
  name: string,
  cwd: string,
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Child {
  // Each package runs from its own folder, as its npm scripts do (tsx reads that tsconfig).
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: join(ROOT, cwd),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { name, process: child, output };
}

async function stop(child: Child): Promise<void> {
  const p = child.process;
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

async function answers(child: Child, url: string): Promise<boolean> {
  if (child.process.exitCode !== null) {
    throw new Error(`${child.name} exited (${child.process.exitCode}):\n${child.output.join('')}`);
  }
  const response = await fetch(url).catch(() => undefined);
  return response?.ok === true;
}

export interface DemoStack {
  /** The demo site, e.g. `http://127.0.0.1:41234`. */
  demoUrl: string;
  /** The emulator (Ads API, uwt.js and `/_emulator/*`). */
  emulatorUrl: string;
  /** The temporary SQLite outbox of the demo server. */
  dbPath: string;
  /** What the demo server printed (for failure messages). */
  demoOutput(): string;
  stop(): Promise<void>;
}

/**
 * Starts the emulator and the demo server as child processes on free ports,
 * talking real HTTP to each other, with a temporary SQLite outbox and a short
 * flush interval. The demo is pointed at the emulator the way a user points it
 * at any X endpoint: through `X_ADS_API_BASE_URL` and the credential variables.
 */
export async function startDemoStack(): Promise<DemoStack> {
  buildDemoAssets();
  const dir = mkdtempSync(join(tmpdir(), 'twclid-demo-e2e-'));
  const dbPath = join(dir, 'outbox.db');
  const [emulatorPort, demoPort] = [await freePort(), await freePort()];
  const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
  const demoUrl = `http://127.0.0.1:${demoPort}`;
  const children: Child[] = [];
  try {
    const emulator = start(
      'emulator',
      'packages/emulator',
      'bin/twclid-emulator.js',
      ['--port', String(emulatorPort)],
      {},
    );
    children.push(emulator);
    await waitFor('the emulator to answer', () =>
      answers(emulator, `${emulatorUrl}/_emulator/stats`),
    );

    const demo = start('demo server', 'demo-site', 'src/server/main.ts', [], {
      PORT: String(demoPort),
      HOST: '127.0.0.1',
      TWCLID_KIT_DB: dbPath,
      DEMO_FLUSH_INTERVAL_MS: '100',
      X_ADS_API_BASE_URL: emulatorUrl,
      X_ADS_API_VERSION: EMULATOR_DEFAULTS.apiVersion,
      X_PIXEL_ID: EMULATOR_DEFAULTS.pixelId,
      X_AD_ACCOUNT_ID: EMULATOR_DEFAULTS.accountId,
      X_CONSUMER_KEY: EMULATOR_DEFAULTS.consumerKey,
      X_CONSUMER_SECRET: EMULATOR_DEFAULTS.consumerSecret,
      X_ACCESS_TOKEN: EMULATOR_DEFAULTS.accessToken,
      X_ACCESS_TOKEN_SECRET: EMULATOR_DEFAULTS.accessTokenSecret,
    });
    children.push(demo);
    await waitFor('the demo server to answer', () => answers(demo, `${demoUrl}/tw/health`), {
      timeoutMs: 30_000,
    });
    return {
      demoUrl,
      emulatorUrl,
      dbPath,
      demoOutput: () => demo.output.join(''),
      async stop() {
        for (const child of children.reverse()) await stop(child);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const child of children.reverse()) await stop(child);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
