/**
 * Runs the real `twclid-kit` bin as a child process, as a user would, and
 * points it at an in-process emulator over real HTTP.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EMULATOR_DEFAULTS } from '@twclid-kit/emulator';

/** The compiled bin, as users run it (`npm test` builds the packages first). */
export const BIN = fileURLToPath(new URL('../bin/twclid-kit.js', import.meta.url));

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment of a user configured for the emulator at `url` (nothing inherited but PATH). */
export function emulatorEnv(
  url: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const d = EMULATOR_DEFAULTS;
  return {
    PATH: process.env.PATH ?? '',
    X_ADS_API_BASE_URL: url,
    X_OAUTH_BASE_URL: url,
    X_ADS_API_VERSION: d.apiVersion,
    X_PIXEL_ID: d.pixelId,
    X_AD_ACCOUNT_ID: d.accountId,
    X_CONSUMER_KEY: d.consumerKey,
    X_CONSUMER_SECRET: d.consumerSecret,
    X_ACCESS_TOKEN: d.accessToken,
    X_ACCESS_TOKEN_SECRET: d.accessTokenSecret,
    ...extra,
  };
}

export function startCli(
  args: readonly string[],
  options: { env: Record<string, string>; cwd?: string },
): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: options.env,
    cwd: options.cwd ?? process.cwd(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<CliRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export async function runCli(
  args: readonly string[],
  options: { env: Record<string, string>; cwd?: string; input?: string },
): Promise<CliRun> {
  const { child, done } = startCli(args, options);
  child.stdin?.end(options.input ?? '');
  return done;
}

export function tempDir(prefix = 'twclid-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
