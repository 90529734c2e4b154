import { describe, expect, it } from 'vitest';
import * as server from './index.ts';

describe('package entry', () => {
  it.each([
    'buildConversion',
    'buildConversionOrThrow',
    'validateBatch',
    'createXClient',
    'signedFetch',
    'authHeaders',
    'oauth1Authorization',
    'decideRetry',
    'backoffDelay',
    'createRateBudget',
    'configFromEnv',
    'normalizeEmail',
    'normalizePhone',
    'normalizeIp',
    'normalizeUserAgent',
    'normalizeTwclid',
    'sha256Hex',
    'serializeValue',
    'parseEventId',
    'isConfigError',
    'isValidationError',
    'isTwclidKitError',
  ])('exports %s', (name) => {
    expect(typeof (server as Record<string, unknown>)[name]).toBe('function');
  });

  it('exports the error classes and limits', () => {
    expect(new server.ConfigError('PORT', 'x')).toBeInstanceOf(server.TwclidKitError);
    expect(server.MAX_CONVERSIONS_PER_REQUEST).toBe(500);
    expect(server.DEFAULT_BASE_URL).toBe('https://ads-api.x.com');
  });
});
