import { describe, expect, it } from 'vitest';
import * as core from './core.ts';
import * as server from './index.ts';

/** Every runtime name the main entry exports: what an app uses, nothing more. */
const MAIN = [
  'AUTH_PAUSE_MS_DEFAULT',
  'BATCH_SIZE_DEFAULT',
  'BODY_LIMIT_DEFAULT',
  'CLICK_DAYS_DEFAULT',
  'ConfigError',
  'DEDUP_WINDOW_DEFAULT_MS',
  'DEDUP_WINDOW_MIN_MS',
  'DEDUP_WINDOW_MS_DEFAULT',
  'FLUSH_INTERVAL_MS_DEFAULT',
  'IP_RATE_LIMIT_DEFAULT',
  'IP_RATE_WINDOW_MS_DEFAULT',
  'LEASE_MS_DEFAULT',
  'POLL_INTERVAL_MS_DEFAULT',
  'PURGE_INTERVAL_MS_DEFAULT',
  'DEFAULT_API_VERSION',
  'DEFAULT_BASE_URL',
  'DEFAULT_DB_PATH',
  'DEFAULT_PORT',
  'SCRIPT_PATH',
  'SCRIPT_VERSION',
  'StoreUnavailableError',
  'TwclidKitError',
  'ValidationError',
  'buildConversion',
  'buildConversionOrThrow',
  'configFromEnv',
  'consoleLogger',
  'createXClient',
  'installSignalHandlers',
  'isConfigError',
  'isStoreUnavailableError',
  'isTwclidKitError',
  'isValidationError',
  'memoryOutbox',
  'silentLogger',
  'twclidKit',
  'validateBatch',
];

describe('package entry', () => {
  it('exports exactly the app surface', () => {
    expect(Object.keys(server).sort()).toEqual([...MAIN].sort());
  });

  it.each([
    'twclidKit',
    'buildConversion',
    'buildConversionOrThrow',
    'validateBatch',
    'createXClient',
    'configFromEnv',
    'memoryOutbox',
    'installSignalHandlers',
    'consoleLogger',
    'isConfigError',
    'isValidationError',
    'isTwclidKitError',
  ])('exports %s', (name) => {
    expect(typeof (server as Record<string, unknown>)[name]).toBe('function');
  });

  it('exports the error classes and defaults', () => {
    expect(new server.ConfigError('PORT', 'x')).toBeInstanceOf(server.TwclidKitError);
    expect(server.DEFAULT_BASE_URL).toBe('https://ads-api.x.com');
    expect(server.DEDUP_WINDOW_DEFAULT_MS).toBe(server.DEDUP_WINDOW_MS_DEFAULT);
    expect(server.IP_RATE_LIMIT_DEFAULT).toBe(60);
  });

  it('keeps building blocks out of the main entry', () => {
    for (const name of [
      'percentEncode',
      'dedupKey',
      'shortEventId',
      'baseStringUri',
      'backoffDelay',
    ]) {
      expect(server).not.toHaveProperty(name);
    }
  });
});

describe('core entry (@twclid-kit/server/core)', () => {
  it.each([
    'normalizeEmail',
    'normalizePhone',
    'normalizeIp',
    'normalizeUserAgent',
    'normalizeTwclid',
    'isPhoneCountry',
    'sha256Hex',
    'hashIdentifier',
    'serializeValue',
    'parseEventId',
    'isPixelId',
    'isCurrencyCode',
    'parseWireEvent',
    'oauth1Authorization',
    'percentEncode',
    'baseStringUri',
    'authHeaders',
    'signedFetch',
    'conversionsUrl',
    'parseRateLimit',
    'parseRetryAfter',
    'describeOutcome',
    'decideRetry',
    'backoffDelay',
    'createRateBudget',
    'deliverBatch',
    'createDispatcher',
    'dedupKey',
    'shortEventId',
    'clientIp',
    'createRateLimiter',
  ])('exports %s', (name) => {
    expect(typeof (core as Record<string, unknown>)[name]).toBe('function');
  });

  it("exports X's limits", () => {
    expect(core.MAX_CONVERSIONS_PER_REQUEST).toBe(500);
    expect(core.MAX_BATCH).toBe(core.MAX_CONVERSIONS_PER_REQUEST);
    expect(core.REQUEST_TIMEOUT_MS_DEFAULT).toBe(10_000);
    expect(core.X_BUDGET_DEFAULT).toBe(60_000);
    expect(core.RATE_LIMIT_DEFAULT).toBe(core.X_BUDGET_DEFAULT);
    expect(core.RATE_WINDOW_MS_DEFAULT).toBe(core.X_BUDGET_WINDOW_MS_DEFAULT);
  });

  it('shares no runtime name with the main entry', () => {
    expect(Object.keys(core).filter((name) => name in server)).toEqual([]);
  });
});
