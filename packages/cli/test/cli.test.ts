/**
 * The command itself: the bin (also through the workspace's
 * node_modules/.bin symlink), help for every subcommand, exit codes, and the
 * `emulator` subcommand.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from './run-cli.ts';

const env = { PATH: process.env.PATH ?? '' };
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('twclid-kit', { timeout: 60_000 }, () => {
  it('runs through the workspace bin symlink (npx twclid-kit)', async () => {
    const { stdout } = await promisify(execFile)(
      `${ROOT}node_modules/.bin/twclid-kit`,
      ['--version'],
      {
        env,
      },
    );
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.each([
    [
      ['send', '--help'],
      ['--event', '--email', '--phone', '--dry-run', '--default-country', 'X_PIXEL_ID'],
    ],
    [
      ['upload', '--help'],
      [
        '--resume',
        '--dry-run',
        'email_address',
        'click_id',
        'order_id',
        '.rejects.csv',
        '.twclid-state.json',
      ],
    ],
    [
      ['doctor', '--help'],
      ['authenticated_user_access', 'AD_MANAGER', 'empty batch'],
    ],
    [
      ['oauth', 'login', '--help'],
      ['--pin', 'X_OAUTH_BASE_URL', 'oauth_callback=oob'],
    ],
    [
      ['outbox', '--help'],
      ['status', 'dead', 'retry', 'purge', 'TWCLID_KIT_DB'],
    ],
    [
      ['outbox', 'purge', '--help'],
      ['--older-than', '48h'],
    ],
    [
      ['emulator', '--help'],
      ['--port', '--error-rate', '--seed'],
    ],
    [['--help'], ['send', 'upload', 'doctor', 'oauth', 'outbox', 'emulator', 'Exit codes']],
  ])('%j explains itself (exit 0)', async (args, words) => {
    const run = await runCli(args, { env });
    expect(run.code).toBe(0);
    for (const word of words) expect(run.stdout).toContain(word);
  });

  it('exits 2 on usage errors', async () => {
    expect((await runCli([], { env })).code).toBe(2);
    const unknown = await runCli(['sned'], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'sned'");
    const missing = await runCli(['send'], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--event');
    const both = await runCli(['upload', 'x.csv', '--resume', '--restart'], { env });
    expect(both.code).toBe(2);
    const noFile = await runCli(
      ['upload', '/nonexistent/file.csv', '--dry-run', '--pixel-id', 'o8z6j'],
      {
        env,
      },
    );
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('cannot read /nonexistent/file.csv');
  });

  it('emulator: starts with faults, serves the inspection API, stops on SIGTERM', async () => {
    const { child, done } = startCli(
      ['emulator', '--port', '0', '--error-rate', '0.25', '--seed', '9'],
      {
        env,
      },
    );
    let stdout = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /^X_ADS_API_BASE_URL=(\S+)$/m.exec(stdout);
        if (match) resolve(match[1] as string);
      });
      child.once('close', () => reject(new Error('emulator exited')));
    });
    expect(stdout).toContain('X_CONSUMER_KEY=emulator-consumer-key');
    const faults = await (await fetch(`${url}/_emulator/faults`)).json();
    expect(faults).toMatchObject({ serverErrorRate: 0.25, seed: 9 });
    const stats = await fetch(`${url}/_emulator/stats`);
    expect(stats.status).toBe(200);
    child.kill('SIGTERM');
    const run = await done;
    expect(run.code).toBe(0);
  });

  it('emulator: refuses a bad fault share (exit 2)', async () => {
    const run = await runCli(['emulator', '--port', '0', '--error-rate', '2'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--error-rate must be a share from 0 to 1');
  });
});
