import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The compiled bin, as users run it (`npm test` builds the packages first).
const BIN = fileURLToPath(new URL('../bin/twclid-emulator.js', import.meta.url));

describe('twclid-emulator (bin/twclid-emulator.js)', () => {
  it('prints the URL and credentials, serves requests and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, '--port', '0', '--seed', '5'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    try {
      await expect.poll(() => out, { timeout: 15_000, interval: 50 }).toContain('X_PIXEL_TOKEN=');
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1] as string;
      expect(out).toContain('X_CONSUMER_KEY=emulator-consumer-key');
      expect(out).toContain('(seed 5)');
      const stats = await fetch(`${url}/_emulator/stats`);
      expect(stats.status).toBe(200);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);

  it('takes the analytics flags: the account time zone and a Conversion Only app', async () => {
    const args = ['--port', '0', '--timezone', 'Europe/Paris', '--conversion-only'];
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    try {
      await expect.poll(() => out, { timeout: 15_000, interval: 50 }).toContain('Stats:');
      expect(out).toContain('account time zone Europe/Paris');
      expect(out).toContain('Conversion Only access');
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1] as string;
      const config = (await (await fetch(`${url}/_emulator/config`)).json()) as {
        analytics: { accounts: { timezone: string }[] };
      };
      expect(config.analytics.accounts[0]?.timezone).toBe('Europe/Paris');
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);

  it('exits 2 with the usage on a bad flag', async () => {
    const child = spawn(process.execPath, [BIN, '--port', 'x'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('--port: expected a number');
  }, 30_000);
});
