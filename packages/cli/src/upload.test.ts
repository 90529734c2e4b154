/**
 * The upload engine with a fake X and fake time: rate budget, 429 pauses,
 * retries, stops, backpressure. (The end-to-end runs against the emulator are
 * in test/cli/.)
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CapiConversion, SendOutcome } from '@twclid-kit/server';
import { buildConversion } from '@twclid-kit/server';
import { createRateBudget, decideRetry } from '@twclid-kit/server/core';
import { describe, expect, it } from 'vitest';
import { rejectReason, runUpload, type UploadDeps } from './upload.ts';

function csv(rows: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'twclid-upload-'));
  const path = join(dir, 'rows.csv');
  const lines = ['twclid,conversion_time'];
  for (let i = 1; i <= rows; i++) lines.push(`click${i},2026-11-28T10:00:00Z`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const ok = (n: number): SendOutcome => ({
  ok: true,
  kind: 'ok',
  status: 200,
  conversionsProcessed: n,
  debugId: `debug-${n}`,
});

/** Fake X answering from a script, on a fake clock that sleeping advances. */
function harness(
  answers: (batch: readonly CapiConversion[], call: number) => SendOutcome,
  limit = 60_000,
) {
  let now = Date.parse('2026-11-29T00:00:00Z');
  const sends: { at: number; size: number }[] = [];
  const sleeps: number[] = [];
  let built = 0;
  const builtAtSend: number[] = [];
  const deps: UploadDeps = {
    build: (input) => {
      built += 1;
      return buildConversion(input, { pixelId: 'o8z6j', now: () => now });
    },
    client: {
      async send(_pixel, conversions) {
        sends.push({ at: now, size: conversions.length });
        builtAtSend.push(built);
        return answers(conversions, sends.length);
      },
    },
    budget: createRateBudget({ limit, windowMs: 15 * 60_000, now: () => now }),
    decide: (outcome, state) =>
      decideRetry(outcome, state, { maxAttempts: 3, backoff: { random: () => 0.5 } }),
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
  return { deps, sends, sleeps, builtAtSend, now: () => now };
}

const options = (file: string) => ({
  file,
  pixelId: 'o8z6j',
  account: '18ce552mlaq',
  event: 'o87ne',
  progress: { stream: { write() {} }, enabled: false },
});

describe('runUpload', () => {
  it('reads only as far as the batch being sent (backpressure)', async () => {
    const file = csv(2000);
    const h = harness((batch) => ok(batch.length));
    const summary = await runUpload(options(file), h.deps);
    expect(summary).toMatchObject({ sent: 2000, batches: 4 });
    expect(h.builtAtSend).toEqual([500, 1000, 1500, 2000]);
  });

  it('never exceeds the rate budget: waits for the window instead', async () => {
    const file = csv(1000);
    const h = harness((batch) => ok(batch.length), 600);
    const summary = await runUpload(options(file), h.deps);
    expect(summary.sent).toBe(1000);
    expect(h.sends.map((s) => s.size)).toEqual([500, 100, 400]);
    // The last 400 went out only when the first spends left the 15-minute window.
    const last = h.sends[2] as { at: number };
    expect(last.at - (h.sends[0] as { at: number }).at).toBeGreaterThanOrEqual(15 * 60_000);
  });

  it('pauses until the reset X sends with a 429, then delivers', async () => {
    const file = csv(10);
    const h = harness((batch, call) =>
      call === 1
        ? {
            ok: false,
            kind: 'rate_limited',
            status: 429,
            errors: [{ code: 'TOO_MANY_REQUESTS', message: 'Rate limit exceeded' }],
            resetAt: h.now() + 42_000,
          }
        : ok(batch.length),
    );
    const summary = await runUpload(options(file), h.deps);
    expect(summary.sent).toBe(10);
    expect(h.sleeps).toEqual([42_000]);
  });

  it('retries a 503 with backoff and keeps the batch whole', async () => {
    const file = csv(10);
    const h = harness((batch, call) =>
      call < 3
        ? {
            ok: false,
            kind: 'transient',
            status: 503,
            errors: [{ code: 'SERVICE_UNAVAILABLE', message: '' }],
          }
        : ok(batch.length),
    );
    const summary = await runUpload(options(file), h.deps);
    expect(summary).toMatchObject({ sent: 10, batches: 1, failed: 0 });
    expect(h.sends.map((s) => s.size)).toEqual([10, 10, 10]);
    expect(h.sleeps).toHaveLength(2);
  });

  it('stops after the retry budget, keeping the state at the last acknowledged batch', async () => {
    const file = csv(700);
    const h = harness((batch, call) =>
      call === 1 ? ok(batch.length) : { ok: false, kind: 'network', message: 'ECONNRESET' },
    );
    const summary = await runUpload(options(file), h.deps);
    expect(summary.stopped).toMatch(/gave up after 3 attempts; last: network: ECONNRESET/);
    expect(summary.sent).toBe(500);
    const state = JSON.parse(readFileSync(`${file}.twclid-state.json`, 'utf8'));
    expect(state).toMatchObject({ watermark: 501, complete: false, totals: { sent: 500 } });
  });

  it('stops when interrupted, after the batch in flight', async () => {
    const file = csv(1500);
    const controller = new AbortController();
    const h = harness((batch) => {
      controller.abort();
      return ok(batch.length);
    });
    const summary = await runUpload({ ...options(file), signal: controller.signal }, h.deps);
    expect(summary.sent).toBe(500);
    expect(summary.stopped).toMatch(/^interrupted/);
  });
});

describe('rejectReason', () => {
  it('names columns, never the raw value', () => {
    expect(
      rejectReason(
        [
          { field: 'eventId', message: 'is required' },
          { field: 'phone', message: 'value +1 555 0100 is not valid' },
        ],
        ['ann@example.com', '+1 555 0100'],
      ),
    ).toBe('event_id: is required; phone: value <redacted> is not valid');
  });
});
