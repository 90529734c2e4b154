import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configFromEnv } from './config.ts';
import { type ConfigError, isConfigError } from './errors.ts';

const OAUTH = {
  X_CONSUMER_KEY: 'ck',
  X_CONSUMER_SECRET: 'cs',
  X_ACCESS_TOKEN: 'at',
  X_ACCESS_TOKEN_SECRET: 'ats',
};
const BASE = { X_PIXEL_ID: 'o8z6j', ...OAUTH };

function failure(env: Record<string, string | undefined>): ConfigError {
  try {
    configFromEnv(env);
  } catch (error) {
    if (isConfigError(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configFromEnv', () => {
  it('applies docs/product.md’s defaults', () => {
    expect(configFromEnv(BASE)).toEqual({
      baseUrl: 'https://ads-api.x.com',
      version: '12',
      pixelId: 'o8z6j',
      auth: {
        kind: 'oauth1',
        consumerKey: 'ck',
        consumerSecret: 'cs',
        accessToken: 'at',
        accessTokenSecret: 'ats',
      },
      dbPath: './.twclid-kit/outbox.db',
      port: 3000,
    });
  });

  it('reads every variable', () => {
    expect(
      configFromEnv({
        X_ADS_API_BASE_URL: 'http://127.0.0.1:8787/',
        X_ADS_API_VERSION: '11',
        X_PIXEL_ID: 'o8z6j',
        X_AD_ACCOUNT_ID: '18ce552mlaq',
        X_PIXEL_TOKEN: 'pt',
        TWCLID_KIT_DB: '/var/lib/tw/outbox.db',
        PORT: '8080',
      }),
    ).toEqual({
      baseUrl: 'http://127.0.0.1:8787',
      version: '11',
      pixelId: 'o8z6j',
      adAccountId: '18ce552mlaq',
      auth: { kind: 'pixel-token', token: 'pt' },
      dbPath: '/var/lib/tw/outbox.db',
      port: 8080,
    });
  });

  it('treats empty variables as unset', () => {
    expect(configFromEnv({ ...BASE, X_PIXEL_TOKEN: '', PORT: ' ' }).auth.kind).toBe('oauth1');
  });

  it.each([
    [{ ...OAUTH }, 'X_PIXEL_ID', /is required/],
    [{ ...BASE, X_PIXEL_ID: 'tw-o8z6j-o87ne' }, 'X_PIXEL_ID', /not a pixel ID/],
    [{ X_PIXEL_ID: 'o8z6j' }, 'X_PIXEL_TOKEN', /no credentials/],
    [{ ...BASE, X_PIXEL_TOKEN: 'pt' }, 'X_PIXEL_TOKEN', /not both/],
    [{ ...BASE, X_ACCESS_TOKEN_SECRET: undefined }, 'X_ACCESS_TOKEN_SECRET', /is missing/],
    [{ X_PIXEL_ID: 'o8z6j', X_CONSUMER_KEY: 'ck' }, 'X_CONSUMER_SECRET', /is missing/],
    [{ ...BASE, X_ADS_API_BASE_URL: 'ads-api.x.com' }, 'X_ADS_API_BASE_URL', /absolute URL/],
    [{ ...BASE, X_ADS_API_BASE_URL: 'ftp://x.com' }, 'X_ADS_API_BASE_URL', /http\(s\)/],
    [{ ...BASE, X_ADS_API_BASE_URL: 'https://x.com/?a=1' }, 'X_ADS_API_BASE_URL', /query/],
    [{ ...BASE, X_ADS_API_VERSION: 'v12' }, 'X_ADS_API_VERSION', /not a version/],
    [{ ...BASE, X_AD_ACCOUNT_ID: 'acc ount' }, 'X_AD_ACCOUNT_ID', /not an ad account/],
    [{ ...BASE, PORT: 'http' }, 'PORT', /not a port/],
    [{ ...BASE, PORT: '70000' }, 'PORT', /not a port/],
    [{ ...BASE, TWCLID_KIT_SIGNING_SECRET: 'short' }, 'TWCLID_KIT_SIGNING_SECRET', /32 char/],
    [{ ...BASE, TWCLID_KIT_X_BUDGET: '0' }, 'TWCLID_KIT_X_BUDGET', /not an event budget/],
    [{ ...BASE, TWCLID_KIT_X_BUDGET: '500/5' }, 'TWCLID_KIT_X_BUDGET', /e\.g\. 60000\/15m/],
    [{ ...BASE, TWCLID_KIT_X_BUDGET: '500/0s' }, 'TWCLID_KIT_X_BUDGET', /not an event budget/],
    [{ ...BASE, TWCLID_KIT_X_BUDGET: '60,000/15m' }, 'TWCLID_KIT_X_BUDGET', /not an event/],
    [{ ...BASE, TWCLID_KIT_X_BUDGET: '-5/5s' }, 'TWCLID_KIT_X_BUDGET', /not an event budget/],
    [{ ...BASE, TWCLID_KIT_X_BUDGET: '500/5d' }, 'TWCLID_KIT_X_BUDGET', /not an event budget/],
  ])('fails naming the variable: %#', (env, variable, message) => {
    const error = failure(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(new RegExp(`^${variable}: `));
    expect(error.message).toMatch(message);
  });

  it('reads TWCLID_KIT_SIGNING_SECRET as the kit option signingSecret, absent when unset', () => {
    const secret = 'x'.repeat(32);
    expect(configFromEnv({ ...BASE, TWCLID_KIT_SIGNING_SECRET: secret }).signingSecret).toBe(
      secret,
    );
    expect('signingSecret' in configFromEnv(BASE)).toBe(false);
    expect(failure({ ...BASE, TWCLID_KIT_SIGNING_SECRET: 'short-secret' }).message).not.toContain(
      'short-secret',
    );
  });

  it.each([
    ['60000/15m', { limit: 60_000, windowMs: 900_000 }],
    ['500/5s', { limit: 500, windowMs: 5000 }],
    ['1000', { limit: 1000, windowMs: 900_000 }],
    ['20/1h', { limit: 20, windowMs: 3_600_000 }],
    ['7/250ms', { limit: 7, windowMs: 250 }],
    [' 500/5s ', { limit: 500, windowMs: 5000 }],
  ])('reads TWCLID_KIT_X_BUDGET %j as the kit option xBudget', (raw, xBudget) => {
    expect(configFromEnv({ ...BASE, TWCLID_KIT_X_BUDGET: raw }).xBudget).toEqual(xBudget);
  });

  it('leaves xBudget out when TWCLID_KIT_X_BUDGET is unset or empty', () => {
    expect('xBudget' in configFromEnv(BASE)).toBe(false);
    expect('xBudget' in configFromEnv({ ...BASE, TWCLID_KIT_X_BUDGET: '' })).toBe(false);
  });

  it('reads any <events>/<duration> it prints, and refuses any other text naming the variable', () => {
    const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 999_999_999 }),
        fc.integer({ min: 1, max: 999_999_999 }),
        fc.constantFrom(...(Object.keys(units) as (keyof typeof units)[])),
        (limit, n, unit) => {
          const read = configFromEnv({ ...BASE, TWCLID_KIT_X_BUDGET: `${limit}/${n}${unit}` });
          expect(read.xBudget).toEqual({ limit, windowMs: n * units[unit] });
        },
      ),
    );
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (raw) => {
        fc.pre(raw.trim() !== '' && !/^\s*\d{1,9}(\/\d{1,9}(ms|s|m|h))?\s*$/.test(raw));
        const error = failure({ ...BASE, TWCLID_KIT_X_BUDGET: raw });
        expect(error.variable).toBe('TWCLID_KIT_X_BUDGET');
      }),
    );
  });

  it('never echoes a secret in its message', () => {
    const error = failure({
      ...BASE,
      X_CONSUMER_SECRET: 'super-secret',
      X_PIXEL_TOKEN: 'tok-secret',
    });
    expect(error.message).not.toContain('super-secret');
    expect(error.message).not.toContain('tok-secret');
  });

  it('reads process.env by default', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { X_PIXEL_ID: 'abc12', X_PIXEL_TOKEN: 'pt' });
      for (const k of Object.keys(OAUTH)) delete process.env[k];
      expect(configFromEnv().pixelId).toBe('abc12');
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });
});
