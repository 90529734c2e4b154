import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../test/fakes.ts';
import { createFailureTracker } from './failure-tracker.ts';

describe('createFailureTracker', () => {
  it('logs a repeating failure once, then at most once a minute with how many were left out', () => {
    const clock = { t: 0 };
    const logger = memoryLogger();
    const tracker = createFailureTracker({ logger, now: () => clock.t, random: () => 0.5 });
    for (let i = 0; i < 100; i++) {
      tracker.failed('dispatcher.error', new Error('database is locked'));
      clock.t += 25; // what the dispatcher did before: a retry every 25 ms
    }
    expect(logger.lines.filter((e) => e.message === 'dispatcher.error')).toHaveLength(1);
    clock.t = 60_000;
    tracker.failed('dispatcher.error', new Error('database is locked'));
    const lines = logger.lines.filter((e) => e.message === 'dispatcher.error');
    expect(lines).toHaveLength(2);
    expect(lines[1]?.fields).toMatchObject({ suppressed: 99, failures: 101 });
    expect(tracker.health()).toMatchObject({
      ok: false,
      lastError: 'database is locked',
      failingSince: 0,
      failures: 101,
    });
    tracker.succeeded();
    expect(logger.lines.at(-1)).toMatchObject({
      level: 'info',
      message: 'dispatcher.recovered',
      fields: { failures: 101, failingForMs: 60_000 },
    });
    expect(tracker.health()).toMatchObject({ ok: true, failures: 0, failingSince: undefined });
    // A new run of failures is logged at once again.
    tracker.failed('dispatcher.error', new Error('disk full'));
    expect(logger.lines.filter((e) => e.message === 'dispatcher.error')).toHaveLength(3);
  });

  it('backs off, capped at 30 s', () => {
    const tracker = createFailureTracker({
      logger: memoryLogger(),
      now: () => 0,
      random: () => 0.999,
    });
    const delays = Array.from({ length: 12 }, () => tracker.failed('e', new Error('x')));
    expect(delays[0]).toBeLessThanOrEqual(500);
    expect(delays[1]).toBeGreaterThan(delays[0] as number);
    expect(Math.max(...delays)).toBeLessThanOrEqual(30_000);
    expect(delays.at(-1)).toBeGreaterThan(25_000);
  });
});
