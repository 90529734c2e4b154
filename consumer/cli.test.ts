/**
 * Check 5: the `twclid-kit` command installed from its tarball (with the
 * server, emulator and browser tarballs it depends on) runs under plain node:
 * nothing in that app can compile TypeScript, so a bin that still pointed at
 * .ts sources, or needed tsx, would fail here.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsumerApp, consumerApp, presentOf } from './lib/app.ts';
import { startEmulatorBin } from './lib/emulator.ts';
import { describeRun, stopAll } from './lib/exec.ts';
import { isolationProblems, isolationReport } from './lib/isolation.ts';

let app: ConsumerApp;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * `npx twclid-kit …` in the app: `--no` allows the local bin only (never a
 * download); `--` keeps flags such as `--version` away from npx itself.
 */
const twclidKit = (args: string[], env: Record<string, string> = {}) =>
  app.run('npx', ['--no', '--', 'twclid-kit', ...args], { env: app.env(env) });

beforeAll(async () => {
  app = await consumerApp('cli', {
    tarballs: ['cli', 'server', 'emulator', 'browser'],
    registry: [],
  });
});

afterAll(stopAll);

describe('the twclid-kit CLI installed from the tarballs', () => {
  it('has no TypeScript toolchain anywhere in its tree and resolves only its own modules', async () => {
    expect(presentOf(app, ['tsx', 'typescript', 'esbuild'])).toEqual([]);
    const report = await isolationReport(app, [
      '@twclid-kit/cli/package.json',
      '@twclid-kit/server',
    ]);
    expect(isolationProblems(app, report), JSON.stringify(report, null, 2)).toEqual([]);
  });

  it('prints its version', async () => {
    const { version } = JSON.parse(app.read('node_modules/@twclid-kit/cli/package.json'));
    const result = await twclidKit(['--version']);
    expect(result.code, describeRun('npx twclid-kit --version', result)).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('validates and prints a conversion with send --dry-run', async () => {
    const result = await twclidKit(['send', '--dry-run', '--event', 'o87ne', '--email', 'a@b.co'], {
      X_PIXEL_ID: 'o8z6j',
      X_PIXEL_TOKEN: 'consumer-dry-run-token',
    });
    const report = describeRun(
      'npx twclid-kit send --dry-run --event o87ne --email a@b.co',
      result,
    );
    expect(result.code, report).toBe(0);
    expect(result.stdout, report).toContain('Dry run: nothing was sent');
    expect(result.stdout, report).toContain(
      'POST https://ads-api.x.com/12/measurement/conversions/o8z6j',
    );
    expect(result.stdout, report).toContain(sha256('a@b.co'));
    expect(result.stdout + result.stderr, 'the token is masked').not.toContain(
      'consumer-dry-run-token',
    );
  });

  it('sends a conversion to the emulator started from the installed bin', async () => {
    const emulator = await startEmulatorBin(app);
    const { X_PIXEL_TOKEN: _token, ...settings } = emulator.settings;
    const result = await twclidKit(
      [
        'send',
        '--event',
        'o87ne',
        '--email',
        'a@b.co',
        '--conversion-id',
        'consumer-cli-1',
        '--json',
      ],
      settings,
    );
    expect(result.code, describeRun('npx twclid-kit send … --json', result)).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, conversionId: 'consumer-cli-1' });
    const body = (await (
      await fetch(`${emulator.url}/_emulator/conversions?conversion_id=consumer-cli-1`)
    ).json()) as { conversions: { capi: { hashedEmail: string }[] }[] };
    expect(body.conversions[0]?.capi[0]?.hashedEmail).toBe(sha256('a@b.co'));
  });
});
