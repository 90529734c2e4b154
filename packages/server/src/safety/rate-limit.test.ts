import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limit.ts';

describe('createRateLimiter', () => {
  it('allows `limit` hits per key per window, then says when to come back', () => {
    let now = 1_000;
    const limiter = createRateLimiter({ limit: 2, windowMs: 10_000, now: () => now });
    expect(limiter.hit('a')).toEqual({ ok: true });
    expect(limiter.hit('a')).toEqual({ ok: true });
    expect(limiter.hit('b')).toEqual({ ok: true });
    now += 4_000;
    expect(limiter.hit('a')).toEqual({ ok: false, retryAfterMs: 6_000 });
    now += 6_000;
    expect(limiter.hit('a')).toEqual({ ok: true });
  });

  it('keeps its table bounded under a flood of distinct keys', () => {
    const limiter = createRateLimiter({ limit: 1, windowMs: 60_000, now: () => 0, maxKeys: 100 });
    for (let i = 0; i < 10_000; i++) limiter.hit(`k${i}`);
    // The newest keys are still counted.
    expect(limiter.hit('k9999')).toMatchObject({ ok: false });
  });
});
