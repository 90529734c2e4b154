import { describe, expect, it } from 'vitest';
import { fakeBudget, fakeX, ok } from '../test/fakes.ts';
import {
  type Answer,
  type DeliveryHooks,
  type DeliveryStep,
  deliverBatch,
  halve,
  stepFor,
} from './batch-delivery.ts';
import { decideRetry } from './retry.ts';
import type { CapiConversion, RetryDecision, SendOutcome } from './x-types.ts';

const invalid: SendOutcome = {
  ok: false,
  kind: 'invalid',
  status: 400,
  errors: [{ code: 'INVALID_PARAMETER', message: 'bad hash', parameter: 'hashed_email' }],
};
const unavailable: SendOutcome = {
  ok: false,
  kind: 'transient',
  status: 503,
  errors: [{ code: 'SERVICE_UNAVAILABLE', message: '' }],
};
const unauthorized: SendOutcome = {
  ok: false,
  kind: 'auth',
  status: 401,
  errors: [{ code: 'UNAUTHORIZED_ACCESS', message: 'no' }],
};

describe('stepFor (the table of docs/x-api.md §2)', () => {
  it.each<[string, SendOutcome, RetryDecision, number, DeliveryStep]>([
    ['2xx', ok(3), { action: 'done' }, 3, { step: 'delivered' }],
    ['400 on several', invalid, { action: 'split' }, 3, { step: 'split' }],
    [
      '400 on one, split',
      invalid,
      { action: 'split' },
      1,
      { step: 'reject', reason: 'HTTP 400: bad hash' },
    ],
    [
      '400 on one, dead',
      invalid,
      { action: 'dead', reason: 'X rejected' },
      1,
      { step: 'reject', reason: 'X rejected' },
    ],
    [
      '400 on several, dead: still split',
      invalid,
      { action: 'dead', reason: 'x' },
      2,
      { step: 'split' },
    ],
    ['503', unavailable, { action: 'retry', delayMs: 700 }, 3, { step: 'retry', delayMs: 700 }],
    [
      '503, budget spent',
      unavailable,
      { action: 'dead', reason: 'gave up' },
      3,
      { step: 'give-up', reason: 'gave up' },
    ],
    [
      '429',
      { ...unavailable, kind: 'rate_limited', status: 429 } as SendOutcome,
      { action: 'pause', untilMs: 5, reason: 'r' },
      3,
      { step: 'wait', untilMs: 5, reason: 'r' },
    ],
    [
      '401',
      unauthorized,
      { action: 'pause', reason: 'creds' },
      3,
      { step: 'pause', reason: 'creds' },
    ],
  ])('%s', (_name, outcome, decision, size, step) => {
    expect(stepFor(outcome, decision, size)).toEqual(step);
  });

  it('halves with the larger half first', () => {
    expect(halve([1, 2, 3, 4, 5])).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });
});

const conversions = (n: number): CapiConversion[] =>
  Array.from({ length: n }, (_, i) => ({
    conversion_time: '2026-01-01T00:00:00.000Z',
    event_id: 'o87ne',
    identifiers: [{ twclid: `click${i}` }],
  }));

/** Hooks that record every step and wait in process (as the CLI does). */
function recordingHooks(log: string[]): DeliveryHooks<CapiConversion> {
  const ids = (a: Answer<CapiConversion>) =>
    a.items.map((c) => (c.identifiers[0] as { twclid: string }).twclid).join(',');
  return {
    admit: async (items) => items.length,
    delivered: async (a) => void log.push(`delivered ${ids(a)}`),
    rejected: async (a) => void log.push(`rejected ${ids(a)}: ${a.step.reason}`),
    later: async (a) => {
      log.push(`${a.step.step} ${ids(a)} attempt ${a.attempt.attempts}`);
      return 'again';
    },
    halted: async (a) => {
      log.push(`halted ${a.step.step}`);
      return 'stop';
    },
  };
}

describe('deliverBatch', () => {
  const target = (x = fakeX()) => ({
    client: x,
    budget: fakeBudget(),
    decide: (outcome: SendOutcome, state: Parameters<typeof decideRetry>[1]) =>
      decideRetry(outcome, state, { maxAttempts: 3, backoff: { random: () => 0.5 } }),
    now: () => 0,
    pixelId: 'o8z6j',
    account: 'acc',
    conversionOf: (c: CapiConversion) => c,
  });

  it('splits a 400 depth first until the bad conversion stands alone', async () => {
    const x = fakeX();
    x.respond = (batch) =>
      batch.some((c) => (c.identifiers[0] as { twclid: string }).twclid === 'click2')
        ? invalid
        : undefined;
    const log: string[] = [];
    const result = await deliverBatch(target(x), conversions(4), recordingHooks(log));
    expect(result).toEqual({ status: 'settled' });
    expect(log).toEqual([
      'delivered click0,click1',
      'rejected click2: X rejected the conversion: INVALID_PARAMETER (hashed_email): bad hash',
      'delivered click3',
    ]);
  });

  it('retries with one more attempt each time, then stops when the policy gives up', async () => {
    const x = fakeX();
    x.respond = () => unavailable;
    const log: string[] = [];
    const result = await deliverBatch(target(x), conversions(2), recordingHooks(log));
    expect(log).toEqual([
      'retry click0,click1 attempt 1',
      'retry click0,click1 attempt 2',
      'halted give-up',
    ]);
    expect(result).toMatchObject({ status: 'stopped', answer: { step: { step: 'give-up' } } });
  });

  it('sends only what the hook admits, the rest next', async () => {
    const x = fakeX();
    const log: string[] = [];
    const hooks = recordingHooks(log);
    hooks.admit = async (items) => Math.min(items.length, 2);
    await deliverBatch(target(x), conversions(5), hooks);
    expect(x.calls.map((c) => c.conversions.length)).toEqual([2, 2, 1]);
  });

  it('stops before sending when interrupted', async () => {
    const x = fakeX();
    const hooks = { ...recordingHooks([]), interrupted: () => true };
    expect(await deliverBatch(target(x), conversions(1), hooks)).toEqual({
      status: 'interrupted',
    });
    expect(x.calls).toHaveLength(0);
  });
});
