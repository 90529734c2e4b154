import { describe, expect, it } from 'vitest';
import { parseRateLimit, parseRetryAfter, rateLimitResetAt } from './rate-limit-headers.ts';

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);

describe('parseRetryAfter (RFC 9110 §10.2.3)', () => {
  it.each([
    ['0', 0],
    ['120', 120_000],
    [' 5 ', 5_000],
    ['Wed, 01 May 2024 12:01:00 GMT', 60_000], // IMF-fixdate
    ['Wednesday, 01-May-24 12:01:00 GMT', 60_000], // obsolete RFC 850 form
    ['Wed, 01 May 2024 11:00:00 GMT', 0], // past dates wait 0
  ])('%j → %s ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it.each([null, '', '-5', '1.5', 'soon', '12:01'])('%j → undefined', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});

describe('parseRateLimit', () => {
  it('reads x-rate-limit-* when no account headers exist', () => {
    const headers = new Headers({
      'x-rate-limit-limit': '2000',
      'x-rate-limit-remaining': '1999',
      'x-rate-limit-reset': '1714565700',
    });
    expect(parseRateLimit(headers)).toEqual({
      account: false,
      limit: 2000,
      remaining: 1999,
      resetAt: 1714565700_000,
    });
  });

  it('is undefined without headers and ignores garbage values', () => {
    expect(parseRateLimit(new Headers())).toBeUndefined();
    expect(parseRateLimit(new Headers({ 'x-rate-limit-remaining': 'lots' }))).toBeUndefined();
  });
});

describe('rateLimitResetAt', () => {
  it('takes the latest of retry-after and both reset headers', () => {
    const headers = new Headers({
      'retry-after': '60',
      'x-rate-limit-reset': String(NOW / 1000 + 30),
      'x-account-rate-limit-reset': String(NOW / 1000 + 90),
    });
    expect(rateLimitResetAt(headers, NOW)).toBe(NOW + 90_000);
  });

  it("ignores the reset of a limit with room left: the account waits for the spent one's", () => {
    // The account's events are spent until 20 s from now; the per-user request
    // limit (plenty left) resets in 14 minutes.
    const headers = new Headers({
      'retry-after': '20',
      'x-account-rate-limit-remaining': '0',
      'x-account-rate-limit-reset': String(NOW / 1000 + 20),
      'x-rate-limit-remaining': '9990',
      'x-rate-limit-reset': String(NOW / 1000 + 840),
    });
    expect(rateLimitResetAt(headers, NOW)).toBe(NOW + 20_000);
  });

  it('waits for every reset when no header says which limit is spent', () => {
    const headers = new Headers({
      'x-account-rate-limit-remaining': '3',
      'x-account-rate-limit-reset': String(NOW / 1000 + 20),
      'x-rate-limit-remaining': '5',
      'x-rate-limit-reset': String(NOW / 1000 + 40),
    });
    expect(rateLimitResetAt(headers, NOW)).toBe(NOW + 40_000);
  });

  it('is undefined without any', () => {
    expect(rateLimitResetAt(new Headers(), NOW)).toBeUndefined();
  });
});
