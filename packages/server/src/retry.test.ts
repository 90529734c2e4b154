import { describe, expect, it } from 'vitest';
import { type AttemptState, decideRetry } from './retry.ts';
import type { SendOutcome } from './x-types.ts';

const NOW = 1_700_000_000_000;
const state = (over: Partial<AttemptState> = {}): AttemptState => ({
  attempts: 1,
  firstAttemptAt: NOW,
  now: NOW,
  batchSize: 10,
  ...over,
});
const errors = [{ code: 'X', message: 'why', parameter: 'event_id' }];
const noJitter = { backoff: { jitter: 0 } };

// The policy table of docs/x-api.md §2, one row per status X documents.
describe('decideRetry: the docs/x-api.md §2 table', () => {
  const rows: [string, SendOutcome, ReturnType<typeof decideRetry>][] = [
    [
      '200',
      { ok: true, kind: 'ok', status: 200, conversionsProcessed: 1, debugId: 'd' },
      { action: 'done' },
    ],
    ['400', { ok: false, kind: 'invalid', status: 400, errors }, { action: 'split' }],
    [
      '401',
      { ok: false, kind: 'auth', status: 401, errors },
      { action: 'pause', reason: 'X answered 401: X (event_id): why' },
    ],
    [
      '403',
      { ok: false, kind: 'auth', status: 403, errors },
      { action: 'pause', reason: 'X answered 403: X (event_id): why' },
    ],
    [
      '404',
      { ok: false, kind: 'not_found', status: 404, errors },
      { action: 'pause', reason: 'X answered 404: X (event_id): why' },
    ],
    [
      '408',
      { ok: false, kind: 'transient', status: 408, errors },
      { action: 'retry', delayMs: 1000 },
    ],
    [
      '423',
      { ok: false, kind: 'transient', status: 423, errors },
      { action: 'retry', delayMs: 1000 },
    ],
    [
      '429 with reset',
      { ok: false, kind: 'rate_limited', status: 429, errors, resetAt: NOW + 90_000 },
      { action: 'pause', untilMs: NOW + 90_000, reason: 'X answered 429 (rate limited)' },
    ],
    [
      '429 without reset',
      { ok: false, kind: 'rate_limited', status: 429, errors },
      { action: 'pause', untilMs: NOW + 60_000, reason: 'X answered 429 (rate limited)' },
    ],
    [
      '500',
      { ok: false, kind: 'transient', status: 500, errors },
      { action: 'retry', delayMs: 1000 },
    ],
    [
      '503',
      { ok: false, kind: 'transient', status: 503, errors },
      { action: 'retry', delayMs: 1000 },
    ],
    [
      'network',
      { ok: false, kind: 'network', message: 'ECONNRESET' },
      { action: 'retry', delayMs: 1000 },
    ],
    ['timeout', { ok: false, kind: 'timeout', message: 't' }, { action: 'retry', delayMs: 1000 }],
    [
      '418',
      { ok: false, kind: 'unexpected', status: 418, errors },
      { action: 'dead', reason: 'X answered an unexpected 418: X (event_id): why' },
    ],
  ];

  it.each(rows)('%s', (_name, outcome, expected) => {
    expect(decideRetry(outcome, state(), noJitter)).toEqual(expected);
  });
});

describe('decideRetry: budgets and headers', () => {
  const transient: SendOutcome = { ok: false, kind: 'transient', status: 503, errors };

  it('400 on a single conversion is dead with X’s message (nothing left to split)', () => {
    expect(
      decideRetry({ ok: false, kind: 'invalid', status: 400, errors }, state({ batchSize: 1 })),
    ).toEqual({ action: 'dead', reason: 'X rejected the conversion: X (event_id): why' });
  });

  it('backs off exponentially with the attempt number', () => {
    expect(
      [1, 2, 3, 4].map((attempts) => decideRetry(transient, state({ attempts }), noJitter)),
    ).toEqual([1000, 2000, 4000, 8000].map((delayMs) => ({ action: 'retry', delayMs })));
  });

  it('honours a longer Retry-After on a 5xx', () => {
    expect(decideRetry({ ...transient, retryAfterMs: 30_000 }, state(), noJitter)).toEqual({
      action: 'retry',
      delayMs: 30_000,
    });
  });

  it('goes dead once the attempts are spent', () => {
    expect(decideRetry(transient, state({ attempts: 12 }), noJitter)).toEqual({
      action: 'dead',
      reason: 'gave up after 12 attempts; last: X answered 503: X (event_id): why',
    });
    expect(decideRetry(transient, state({ attempts: 11 }), noJitter).action).toBe('retry');
    expect(decideRetry(transient, state({ attempts: 3 }), { maxAttempts: 3 }).action).toBe('dead');
  });

  it('goes dead once the next try would exceed the elapsed-time budget', () => {
    const policy = { maxElapsedMs: 60_000, backoff: { jitter: 0 } };
    expect(decideRetry(transient, state({ now: NOW + 59_001 }), policy).action).toBe('dead');
    expect(decideRetry(transient, state({ now: NOW + 59_000 }), policy).action).toBe('retry');
    expect(decideRetry(transient, state({ now: NOW + 50_000 }), policy)).toEqual({
      action: 'retry',
      delayMs: 1000,
    });
  });

  it('429 does not spend the retry budget', () => {
    expect(
      decideRetry(
        { ok: false, kind: 'rate_limited', status: 429, errors: [] },
        state({ attempts: 99 }),
      ).action,
    ).toBe('pause');
  });

  it('429 with a reset already past falls back to the configured pause', () => {
    expect(
      decideRetry(
        { ok: false, kind: 'rate_limited', status: 429, errors: [], resetAt: NOW - 1 },
        state(),
        { rateLimitFallbackMs: 5_000 },
      ),
    ).toMatchObject({ action: 'pause', untilMs: NOW + 5_000 });
  });
});
