import { EMULATOR_DEFAULTS } from '@twclid-kit/emulator';
import { describe, expect, it } from 'vitest';
import { demoConfigFromEnv, emulatorEnv } from './config.ts';

describe('demoConfigFromEnv', () => {
  it('starts a local emulator on PORT + 1 when no X endpoint is configured', () => {
    const config = demoConfigFromEnv({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      dbPath: './.twclid-kit/outbox.db',
      flushIntervalMs: 250,
      events: { purchase: 'o87ne', lead: 'o87nf', signup: 'o87ng' },
      target: { kind: 'local-emulator', port: 3001 },
    });
    expect(demoConfigFromEnv({ PORT: '4000' }).target).toEqual({
      kind: 'local-emulator',
      port: 4001,
    });
    expect(demoConfigFromEnv({ EMULATOR_PORT: '0' }).target).toEqual({
      kind: 'local-emulator',
      port: 0,
    });
  });

  it('ignores real X credentials in the environment while it runs its own emulator', () => {
    const config = demoConfigFromEnv({ X_PIXEL_TOKEN: 'real-token', X_PIXEL_ID: 'abcde' });
    expect(config.target.kind).toBe('local-emulator');
  });

  it('uses the X endpoint and credentials from the environment when X_ADS_API_BASE_URL is set', () => {
    const config = demoConfigFromEnv({
      ...emulatorEnv('http://127.0.0.1:9999'),
      PORT: '8080',
      TWCLID_KIT_DB: '/tmp/x.db',
    });
    expect(config.port).toBe(8080);
    expect(config.dbPath).toBe('/tmp/x.db');
    expect(config.target).toMatchObject({
      kind: 'env',
      x: { baseUrl: 'http://127.0.0.1:9999', pixelId: EMULATOR_DEFAULTS.pixelId },
    });
  });

  it('names the variable that is missing or malformed', () => {
    expect(() => demoConfigFromEnv({ X_ADS_API_BASE_URL: 'https://ads-api.x.com' })).toThrow(
      /X_PIXEL_ID/,
    );
    expect(() => demoConfigFromEnv({ DEMO_FLUSH_INTERVAL_MS: 'soon' })).toThrow(
      /DEMO_FLUSH_INTERVAL_MS/,
    );
    expect(() => demoConfigFromEnv({ DEMO_EVENT_LEAD: 'tw-o8z6j-o87nf' })).toThrow(
      /DEMO_EVENT_LEAD/,
    );
    expect(() => demoConfigFromEnv({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => demoConfigFromEnv({ EMULATOR_PORT: '70000' })).toThrow(/EMULATOR_PORT/);
  });
});
