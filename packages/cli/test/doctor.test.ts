/**
 * `twclid-kit doctor` against the emulator: a healthy setup, a wrong secret,
 * a user without access, a wrong pixel, no configuration.
 */
import { EMULATOR_DEFAULTS, type EmulatorHandle, startEmulator } from '@twclid-kit/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorEnv, runCli } from './run-cli.ts';

const d = EMULATOR_DEFAULTS;
const ANALYST = { id: '2000000002', token: 'analyst-token', secret: 'analyst-token-secret' };

let x: EmulatorHandle;
beforeAll(async () => {
  x = await startEmulator({
    port: 0,
    users: [
      { id: d.userId, screenName: d.screenName, access: { [d.accountId]: ['ACCOUNT_ADMIN'] } },
      { id: ANALYST.id, screenName: 'analyst', access: { [d.accountId]: ['ANALYST'] } },
    ],
    tokens: [
      { token: d.accessToken, secret: d.accessTokenSecret, userId: d.userId },
      { token: ANALYST.token, secret: ANALYST.secret, userId: ANALYST.id },
    ],
  });
});
afterAll(async () => {
  await x.close();
});

interface Check {
  name: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
  hint?: string;
}

async function doctor(env: Record<string, string>) {
  const run = await runCli(['doctor', '--json'], { env });
  const report = JSON.parse(run.stdout) as { ok: boolean; checks: Check[] };
  const check = (name: string) => report.checks.find((c) => c.name === name) as Check;
  return { run, report, check };
}

describe('doctor', { timeout: 60_000 }, () => {
  it('passes every check with good credentials (exit 0)', async () => {
    const { run, report } = await doctor(emulatorEnv(x.url));
    expect(run.code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([
      ['configuration', 'ok'],
      ['reachability', 'ok'],
      ['clock', 'ok'],
      ['credentials', 'ok'],
      ['access level', 'ok'],
      ['pixel', 'ok'],
    ]);
    // The pixel probe is an empty batch: nothing may be counted.
    expect(x.state.stats().counted).toBe(0);
  });

  it('prints ✓ lines for people', async () => {
    const run = await runCli(['doctor'], { env: emulatorEnv(x.url) });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^✓ configuration/m);
    expect(run.stdout).toMatch(/^✓ access level .*ACCOUNT_ADMIN/m);
    expect(run.stdout).toContain('All checks passed.');
  });

  it('reports a wrong secret as a credentials failure with a hint (exit 1)', async () => {
    const { run, check } = await doctor(
      emulatorEnv(x.url, { X_CONSUMER_SECRET: 'not-the-consumer-secret' }),
    );
    expect(run.code).toBe(1);
    expect(check('credentials').status).toBe('fail');
    expect(check('credentials').detail).toContain('401');
    expect(check('credentials').hint).toContain('X_CONSUMER_SECRET');
    expect(check('access level').status).toBe('skip');
    expect(check('pixel').status).toBe('fail');
    expect(run.stdout + run.stderr).not.toContain('not-the-consumer-secret');
  });

  it('reports a user without AD_MANAGER/ACCOUNT_ADMIN (exit 1)', async () => {
    const { run, check } = await doctor(
      emulatorEnv(x.url, { X_ACCESS_TOKEN: ANALYST.token, X_ACCESS_TOKEN_SECRET: ANALYST.secret }),
    );
    expect(run.code).toBe(1);
    expect(check('credentials').status).toBe('ok');
    expect(check('access level').status).toBe('fail');
    expect(check('access level').detail).toContain('ANALYST');
    expect(check('access level').hint).toContain('AD_MANAGER');
  });

  it('reports an unknown pixel', async () => {
    const { run, check } = await doctor(emulatorEnv(x.url, { X_PIXEL_ID: 'zzzzz' }));
    expect(run.code).toBe(1);
    expect(check('pixel').status).toBe('fail');
    expect(check('pixel').hint).toContain('X_PIXEL_ID');
  });

  it('works with an X-Pixel-Token instead of OAuth', async () => {
    const env = emulatorEnv(x.url, { X_PIXEL_TOKEN: d.pixelToken });
    for (const name of [
      'X_CONSUMER_KEY',
      'X_CONSUMER_SECRET',
      'X_ACCESS_TOKEN',
      'X_ACCESS_TOKEN_SECRET',
    ]) {
      delete env[name];
    }
    const { run, check } = await doctor(env);
    expect(run.code).toBe(0);
    expect(check('pixel').status).toBe('ok');
    expect(check('access level').status).toBe('skip');
  });

  it('reports missing configuration by variable name', async () => {
    const env = emulatorEnv(x.url);
    delete env.X_ACCESS_TOKEN_SECRET;
    const { run, check } = await doctor(env);
    expect(run.code).toBe(1);
    expect(check('configuration').status).toBe('fail');
    expect(check('configuration').detail).toContain('X_ACCESS_TOKEN_SECRET');
  });

  it('reports an unreachable X', async () => {
    const { run, check } = await doctor(emulatorEnv('http://127.0.0.1:9'));
    expect(run.code).toBe(1);
    expect(check('reachability').status).toBe('fail');
    expect(check('credentials').status).toBe('skip');
  });
});
