/**
 * `twclid-kit oauth login`: the 3-legged PIN flow against the emulator's
 * /oauth endpoints, driven like a person would (read the URL, open it, type
 * the PIN).
 */
import { EMULATOR_DEFAULTS, type EmulatorHandle, startEmulator } from '@twclid-kit/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorEnv, runCli, startCli } from './run-cli.ts';

let x: EmulatorHandle;
beforeAll(async () => {
  x = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await x.close();
});

/** The environment of someone who has only the app's consumer pair. */
function consumerOnly(): Record<string, string> {
  const env = emulatorEnv(x.url);
  delete env.X_ACCESS_TOKEN;
  delete env.X_ACCESS_TOKEN_SECRET;
  return env;
}

async function approve(authorizeUrl: string): Promise<string> {
  const page = await (await fetch(authorizeUrl)).text();
  const pin = /id="oauth_pin">(\d+)</.exec(page)?.[1];
  if (!pin) throw new Error('no PIN on the authorize page');
  return pin;
}

describe('oauth login', { timeout: 60_000 }, () => {
  it('prints the authorize URL, reads the PIN from stdin and prints the env lines', async () => {
    const { child, done } = startCli(['oauth', 'login'], { env: consumerOnly() });
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /(http:\/\/\S+\/oauth\/authorize\?oauth_token=\S+)/.exec(stderr);
        if (match && stderr.includes('PIN:')) resolve(match[1] as string);
      });
      child.once('close', () => reject(new Error(`exited early: ${stderr}`)));
    });
    expect(url.startsWith(`${x.url}/oauth/authorize?oauth_token=`)).toBe(true);
    child.stdin?.end(`${await approve(url)}\n`);
    const run = await done;
    expect(run.code).toBe(0);

    const issued = x.issuedTokens();
    expect(issued).toHaveLength(1);
    const token = issued[0] as { token: string; secret: string };
    expect(run.stdout).toContain(`X_ACCESS_TOKEN=${token.token}\n`);
    expect(run.stdout).toContain(`X_ACCESS_TOKEN_SECRET=${token.secret}\n`);
    expect(run.stdout).toContain(`@${EMULATOR_DEFAULTS.screenName}`);
    // The secret is shown once, on stdout only.
    expect(run.stdout.split(token.secret)).toHaveLength(2);
    expect(run.stderr).not.toContain(token.secret);

    // The new token is a working credential.
    const doctor = await runCli(['doctor', '--json'], {
      env: { ...consumerOnly(), X_ACCESS_TOKEN: token.token, X_ACCESS_TOKEN_SECRET: token.secret },
    });
    expect(doctor.code).toBe(0);
  });

  it('prints JSON with --json (the PIN piped in)', async () => {
    const { child, done } = startCli(['oauth', 'login', '--json'], { env: consumerOnly() });
    let stderr = '';
    const url = await new Promise<string>((resolve) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /(http:\/\/\S+\/oauth\/authorize\?oauth_token=\S+)/.exec(stderr);
        if (match && stderr.includes('PIN:')) resolve(match[1] as string);
      });
    });
    child.stdin?.end(`${await approve(url)}\n`);
    const run = await done;
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    const latest = x.issuedTokens().at(-1);
    expect(result).toEqual({
      accessToken: latest?.token,
      accessTokenSecret: latest?.secret,
      userId: EMULATOR_DEFAULTS.userId,
      screenName: EMULATOR_DEFAULTS.screenName,
    });
  });

  it('refuses a wrong --pin (exit 1, nothing printed on stdout)', async () => {
    const run = await runCli(['oauth', 'login', '--pin', '0000000x'], { env: consumerOnly() });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('access token failed (HTTP 401)');
    expect(run.stderr).toContain('PIN');
    expect(run.stdout).toBe('');
  });

  it('refuses a wrong consumer secret at the request-token step (exit 1)', async () => {
    const run = await runCli(['oauth', 'login', '--pin', '1'], {
      env: { ...consumerOnly(), X_CONSUMER_SECRET: 'wrong' },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('request token failed (HTTP 401)');
    expect(run.stderr).toContain('X_CONSUMER_SECRET');
  });

  it('needs the consumer key (exit 2, names the variable)', async () => {
    const env = consumerOnly();
    delete env.X_CONSUMER_KEY;
    const run = await runCli(['oauth', 'login', '--pin', '1'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('X_CONSUMER_KEY');
  });
});
