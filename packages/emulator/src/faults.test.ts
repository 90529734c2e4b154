import { describe, expect, it } from 'vitest';
import { signedPost, validConversion } from '../test/helpers.ts';
import { createEmulator, DroppedConnectionError } from './app.ts';
import { createFaultInjector, FAULTS_NONE, FaultConfigError, mergeFaults } from './faults.ts';
import { mulberry32 } from './prng.ts';

describe('mulberry32', () => {
  it('is deterministic per seed and different across seeds', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const seqA = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(seqA);
    expect(Array.from({ length: 5 }, c)).not.toEqual(seqA);
    for (const x of seqA) expect(x >= 0 && x < 1).toBe(true);
  });
});

describe('fault injector', () => {
  const mix = {
    seed: 7,
    serverErrorRate: 0.2,
    rateLimitRate: 0.05,
    timeoutRate: 0.05,
    dropRate: 0.05,
    slowRate: 0.1,
  };

  it('gives the same sequence for the same seed, and a different one for another seed', () => {
    const run = (seed: number) => {
      const f = createFaultInjector({ ...mix, seed });
      return Array.from({ length: 200 }, () => {
        const d = f.next();
        return `${d.kind}:${d.status ?? ''}:${d.slow}`;
      });
    };
    expect(run(7)).toEqual(run(7));
    expect(run(8)).not.toEqual(run(7));
  });

  it('hits each fault at roughly its configured share', () => {
    const f = createFaultInjector(mix);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 10_000; i++) {
      const k = f.next().kind ?? 'none';
      counts[k] = (counts[k] ?? 0) + 1;
    }
    expect(counts.server_error).toBeGreaterThan(1800);
    expect(counts.server_error).toBeLessThan(2200);
    expect(counts.rate_limited).toBeGreaterThan(400);
    expect(counts.rate_limited).toBeLessThan(600);
    expect(counts.none).toBeGreaterThan(6300);
  });

  it('restarts the sequence on reseed and when the seed is set', () => {
    const f = createFaultInjector(mix);
    const first = Array.from({ length: 20 }, () => f.next().kind);
    f.reseed();
    expect(Array.from({ length: 20 }, () => f.next().kind)).toEqual(first);
    f.set({ seed: 7 });
    expect(Array.from({ length: 20 }, () => f.next().kind)).toEqual(first);
  });

  it('rejects bad options naming the field', () => {
    const bad: Array<[unknown, string]> = [
      [{ serverErrorRate: 1.5 }, 'serverErrorRate'],
      [{ serverErrorRate: '0.2' }, 'serverErrorRate'],
      [{ hangMs: -1 }, 'hangMs'],
      [{ seed: 1.5 }, 'seed'],
      [{ dropAfterProcessing: 'yes' }, 'dropAfterProcessing'],
      [{ serverErrorHtml: 1 }, 'serverErrorHtml'],
      [{ serverErrorStatuses: [404] }, 'serverErrorStatuses'],
      [{ nope: 1 }, 'nope'],
      [{ serverErrorRate: 0.6, timeoutRate: 0.6 }, 'serverErrorRate'],
      [[], '(root)'],
    ];
    for (const [update, field] of bad) {
      expect(() => mergeFaults(FAULTS_NONE, update)).toThrow(FaultConfigError);
      try {
        mergeFaults(FAULTS_NONE, update);
      } catch (err) {
        expect((err as FaultConfigError).field).toBe(field);
      }
    }
  });
});

describe('faults on the Conversion API', () => {
  const T0 = Date.parse('2026-11-28T12:00:00.000Z');
  const post = async (emu: ReturnType<typeof createEmulator>, id: string) => {
    const { url, init } = signedPost(
      { conversions: [validConversion({ conversion_id: id })] },
      { timestamp: T0 / 1000 },
    );
    return emu.app.request(url, init);
  };

  it('answers 5xx with X error bodies and does not count the conversions', async () => {
    const emu = createEmulator({
      now: () => T0,
      faults: { serverErrorRate: 1, serverErrorStatuses: [503] },
    });
    const res = await post(emu, 'a');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ errors: [{ code: 'SERVICE_UNAVAILABLE' }] });
    expect(emu.state.stats()).toMatchObject({
      counted: 0,
      rejected: { capi: 1 },
      faults: { server_error: 1 },
    });
    expect(emu.state.events()[0]).toMatchObject({
      fault: 'server_error',
      httpStatus: 503,
      dedup: 'not_counted',
    });
  });

  it('can answer 5xx with an HTML body, as a proxy would', async () => {
    const emu = createEmulator({
      now: () => T0,
      faults: { serverErrorRate: 1, serverErrorStatuses: [502], serverErrorHtml: true },
    });
    const res = await post(emu, 'a');
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('502');
    expect(emu.state.stats().counted).toBe(0);
  });

  it('answers 429 with Retry-After and does not count', async () => {
    const emu = createEmulator({
      now: () => T0,
      faults: { rateLimitRate: 1, retryAfterSeconds: 7 },
    });
    const res = await post(emu, 'a');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('x-account-rate-limit-reset')).toBe(String(T0 / 1000 + 7));
    expect(emu.state.stats()).toMatchObject({ counted: 0, faults: { rate_limited: 1 } });
  });

  it('drops the connection before processing (not counted) or after it (counted) as configured', async () => {
    const emu = createEmulator({ now: () => T0, faults: { dropRate: 1 } });
    await expect(post(emu, 'a')).rejects.toBeInstanceOf(DroppedConnectionError);
    expect(emu.state.stats()).toMatchObject({ counted: 0, faults: { dropped: 1 } });

    emu.setFaults({ dropAfterProcessing: true });
    await expect(post(emu, 'b')).rejects.toBeInstanceOf(DroppedConnectionError);
    expect(emu.state.stats()).toMatchObject({ counted: 1, faults: { dropped: 2 } });
    expect(emu.state.events().at(-1)).toMatchObject({
      conversionId: 'b',
      fault: 'dropped',
      dedup: 'counted',
      httpStatus: null,
    });

    // The sender retries the same conversion_id: X deduplicates it.
    emu.setFaults({ dropRate: 0 });
    expect((await post(emu, 'b')).status).toBe(200);
    expect(emu.state.stats()).toMatchObject({ counted: 1, deduplicated: 1 });
  });

  it('hangs a timed-out request for hangMs, then drops it uncounted', async () => {
    const emu = createEmulator({ now: () => T0, faults: { timeoutRate: 1, hangMs: 20 } });
    const started = performance.now();
    await expect(post(emu, 'a')).rejects.toBeInstanceOf(DroppedConnectionError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
    expect(emu.state.stats()).toMatchObject({ counted: 0, faults: { timeout: 1 } });
  });

  it('releases requests hung "forever" on releaseHung()', async () => {
    const emu = createEmulator({ now: () => T0, faults: { timeoutRate: 1 } });
    const pending = post(emu, 'a');
    await new Promise((r) => setTimeout(r, 5));
    emu.releaseHung();
    await expect(pending).rejects.toBeInstanceOf(DroppedConnectionError);
  });

  it('delays slow requests by slowMs (fake timers)', async () => {
    const { vi } = await import('vitest');
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const emu = createEmulator({ now: () => T0, faults: { slowRate: 1, slowMs: 5000 } });
      let done = false;
      const pending = post(emu, 'a').then((r) => {
        done = true;
        return r;
      });
      await vi.advanceTimersByTimeAsync(4900);
      expect(done).toBe(false);
      await vi.advanceTimersByTimeAsync(200);
      expect((await pending).status).toBe(200);
      expect(emu.state.stats().faults.slowed).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('plays the same fault sequence against the app for the same seed', async () => {
    const statuses = async (seed: number) => {
      const emu = createEmulator({
        now: () => T0,
        faults: { seed, serverErrorRate: 0.3, rateLimitRate: 0.2 },
      });
      const out: number[] = [];
      for (let i = 0; i < 30; i++) out.push((await post(emu, `c${i}`)).status);
      return out;
    };
    const a = await statuses(11);
    expect(await statuses(11)).toEqual(a);
    expect(new Set(a)).toEqual(new Set([200, 429, 500, 503]));
  });
});
