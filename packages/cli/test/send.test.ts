/**
 * `twclid-kit send`: one conversion from flags, hashed exactly as the route
 * hashes, against the emulator.
 */
import { EMULATOR_DEFAULTS, type EmulatorHandle, startEmulator } from '@twclid-kit/emulator';
import { buildConversion } from '@twclid-kit/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emulatorEnv, runCli } from './run-cli.ts';

const d = EMULATOR_DEFAULTS;
// A conversion time inside the 90-day window behind the real clock the CLI runs on:
// yesterday, 10:00 UTC (docs/product.md, "Wire contract").
const DAY_MS = 86_400_000;
const YESTERDAY = new Date(Math.floor(Date.now() / DAY_MS - 1) * DAY_MS + 10 * 3_600_000);
// docs/x-api.md §1 test vector (SHA-256 of "test@twitter.com" [REF12]).
const TEST_TWITTER_SHA256 = 'd360d510a224510f373931ce2d6215a799f5a9c1cef221b0149b6b6b50cced62';

let x: EmulatorHandle;
beforeAll(async () => {
  x = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await x.close();
});
beforeEach(() => {
  x.state.reset();
});

describe('send', { timeout: 60_000 }, () => {
  it('sends one conversion and prints the debug_id', async () => {
    const run = await runCli(
      [
        'send',
        '--event',
        `tw-${d.pixelId}-o87ne`,
        '--conversion-id',
        'order-1',
        '--email',
        '  Test@Twitter.com ',
        '--phone',
        '(415) 555-2671',
        '--default-country',
        'us',
        '--ip',
        '203.0.113.9',
        '--value',
        '20.00',
        '--currency',
        'usd',
        '--time',
        YESTERDAY.toISOString().replace('.000Z', 'Z'),
      ],
      { env: emulatorEnv(x.url) },
    );
    expect(run.code).toBe(0);
    const [event] = x.state.events({ channel: 'capi' });
    expect(run.stdout).toContain(`debug_id: ${event?.debugId}`);
    expect(event).toMatchObject({
      conversionId: 'order-1',
      hashedEmail: TEST_TWITTER_SHA256,
      ipAddress: '203.0.113.9',
      currency: 'USD',
      conversionTime: YESTERDAY.toISOString(),
    });
    // The same input through the route's builder gives the same phone hash.
    const built = buildConversion(
      { eventId: 'o87ne', phone: '(415) 555-2671' },
      { defaultCountry: 'US' },
    );
    expect(built.ok && built.conversion.identifiers[0]).toEqual({
      hashed_phone_number: event?.hashedPhoneNumber,
    });
    expect(x.state.stats().counted).toBe(1);
  });

  it('--dry-run prints the exact request with secrets masked and sends nothing', async () => {
    const run = await runCli(
      ['send', '--event', 'o87ne', '--email', 'test@twitter.com', '--dry-run', '--json'],
      { env: emulatorEnv(x.url) },
    );
    expect(run.code).toBe(0);
    const { request } = JSON.parse(run.stdout);
    expect(request.method).toBe('POST');
    expect(request.url).toBe(`${x.url}/${d.apiVersion}/measurement/conversions/${d.pixelId}`);
    expect(request.body.conversions[0].identifiers).toEqual([
      { hashed_email: TEST_TWITTER_SHA256 },
    ]);
    expect(request.body.conversions[0].conversion_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(request.headers.authorization).toMatch(/^OAuth oauth_consumer_key="emul…\(21\)"/);
    expect(request.headers.authorization).toContain('oauth_signature="********"');
    expect(request.auth.kind).toBe('OAuth 1.0a (HMAC-SHA1)');
    for (const secret of [d.consumerSecret, d.accessTokenSecret, d.accessToken, d.consumerKey]) {
      expect(run.stdout).not.toContain(secret);
    }
    expect(x.state.stats().requests.capi).toBe(0);
  });

  it('--dry-run masks an X-Pixel-Token too', async () => {
    const env = emulatorEnv(x.url, { X_PIXEL_TOKEN: d.pixelToken });
    for (const name of [
      'X_CONSUMER_KEY',
      'X_CONSUMER_SECRET',
      'X_ACCESS_TOKEN',
      'X_ACCESS_TOKEN_SECRET',
    ]) {
      delete env[name];
    }
    const run = await runCli(['send', '--event', 'o87ne', '--twclid', 'abc123', '--dry-run'], {
      env,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('x-pixel-token: ********');
    expect(run.stdout).not.toContain(d.pixelToken);
  });

  it('refuses invalid flags before sending, naming the flag (exit 2)', async () => {
    const run = await runCli(
      ['send', '--event', 'o87ne', '--email', 'ann.example.com', '--currency', 'EURO'],
      { env: emulatorEnv(x.url) },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--email: is not an email address');
    expect(run.stderr).toContain('--currency:');
    expect(run.stderr).not.toContain('ann.example.com');
    expect(x.state.stats().requests.capi).toBe(0);
  });

  it("prints X's errors and exits 1 when X refuses", async () => {
    const run = await runCli(['send', '--event', 'zzzzz', '--twclid', 'abc123'], {
      env: emulatorEnv(x.url),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('X refused the conversion (HTTP 404)');
    expect(run.stderr).toContain('WEB_EVENT_TAG_NOT_FOUND');
  });

  it('reports a network failure (exit 1)', async () => {
    const run = await runCli(['send', '--event', 'o87ne', '--twclid', 'abc', '--json'], {
      env: emulatorEnv('http://127.0.0.1:9'),
    });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, kind: 'network' });
  });
});
