/**
 * Crash safety of `twclid-kit upload`: a 10,000-row upload is SIGKILLed in the
 * middle and resumed; every row must end up counted exactly once at the
 * emulator. "Exactly once" with X's deduplication means: X counts one
 * conversion per row, and the only copies X sees twice are rows of a batch
 * that X processed but whose acknowledgement the killed process never
 * recorded; those carry the same conversion_id the second time (an order ID,
 * or the ID derived from the row), so X deduplicates them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type EmulatorHandle, startEmulator } from '@twclid-kit/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import { emulatorEnv, runCli, startCli, tempDir } from './run-cli.ts';

const ROWS = 10_000;
// Yesterday's date: conversion times inside the 90-day window behind the real
// clock the CLI runs on (docs/product.md, "Wire contract").
const DAY = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

function writeRows(file: string): void {
  const lines = ['email,phone,twclid,conversion_time,order_id,value,currency'];
  for (let i = 1; i <= ROWS; i++) {
    // Every other row has no order ID: it gets a derived conversion_id.
    lines.push(
      `user${i}@example.com,,click${i},${DAY}T10:${String(i % 60).padStart(2, '0')}:00Z,${i % 2 === 0 ? `ORD-${i}` : ''},${i}.00,USD`,
    );
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

function readState(file: string): { watermark: number; complete: boolean } | undefined {
  try {
    return JSON.parse(readFileSync(`${file}.twclid-state.json`, 'utf8'));
  } catch {
    return undefined;
  }
}

async function until(check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let x: EmulatorHandle | undefined;
afterEach(async () => {
  await x?.close();
  x = undefined;
});

describe('upload interrupted by SIGKILL and resumed', { timeout: 120_000 }, () => {
  it('delivers all 10,000 rows exactly once (killed mid-run)', async () => {
    x = await startEmulator({ port: 0, faults: { latencyMs: 150 } });
    const file = join(tempDir(), 'offline.csv');
    writeRows(file);
    const env = emulatorEnv(x.url);
    const args = ['upload', file, '--event', 'o87ne', '--json'];

    const first = startCli(args, { env });
    await until(() => (readState(file)?.watermark ?? 0) >= 3000);
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    const left = readState(file);
    expect(left?.complete).toBe(false);
    expect(left?.watermark).toBeLessThan(ROWS + 1);

    const resumed = await runCli([...args, '--resume'], { env });
    expect(resumed.code).toBe(0);
    const summary = JSON.parse(resumed.stdout);
    expect(summary.skipped).toBe(left?.watermark ? left.watermark - 1 : 0); // line 1 is the header
    expect(summary.totals).toMatchObject({ sent: ROWS, rejected: 0, failed: 0 });
    expect(readState(file)?.complete).toBe(true);

    const stats = x.state.stats();
    expect(stats.counted).toBe(ROWS);
    // At most the one batch in flight at the kill reached X twice, and X deduplicated it.
    expect(stats.accepted.capi - stats.deduplicated).toBe(ROWS);
    expect(stats.deduplicated).toBeLessThanOrEqual(500);
  });

  it('stops cleanly on Ctrl-C (SIGINT) after the batch in flight, and resumes', async () => {
    x = await startEmulator({ port: 0, faults: { latencyMs: 100 } });
    const file = join(tempDir(), 'offline.csv');
    writeRows(file);
    const env = emulatorEnv(x.url);
    const args = ['upload', file, '--event', 'o87ne'];

    const first = startCli(args, { env });
    await until(() => (readState(file)?.watermark ?? 0) >= 1000);
    first.child.kill('SIGINT');
    const stopped = await first.done;
    expect(stopped.code).toBe(1);
    expect(stopped.stdout).toContain('stopped: interrupted');
    const state = readState(file);
    expect(state?.complete).toBe(false);
    // Nothing was left half-done: what X acknowledged is exactly what the state says.
    expect(x.state.stats().accepted.capi).toBe((state?.watermark ?? 0) - 1);

    const resumed = await runCli([...args, '--resume'], { env });
    expect(resumed.code).toBe(0);
    expect(x.state.stats()).toMatchObject({ counted: ROWS, deduplicated: 0 });
  });

  it('re-sends a batch X processed but the killed run never recorded, with the same IDs', async () => {
    x = await startEmulator({ port: 0 });
    const emulator = x;
    const file = join(tempDir(), 'offline.csv');
    writeRows(file);
    const env = emulatorEnv(emulator.url);
    const args = ['upload', file, '--event', 'o87ne', '--json'];

    const first = startCli(args, { env });
    await until(() => (readState(file)?.watermark ?? 0) >= 2000);
    // From now on X processes each request, but the answer never arrives.
    emulator.setFaults({ dropRate: 1, dropAfterProcessing: true });
    await until(() => emulator.state.stats().faults.dropped >= 1);
    first.child.kill('SIGKILL');
    await first.done;
    emulator.setFaults({ dropRate: 0 });
    const dropped = emulator.state.stats().faults.dropped;

    const resumed = await runCli([...args, '--resume'], { env });
    expect(resumed.code).toBe(0);

    const stats = emulator.state.stats();
    expect(stats.counted).toBe(ROWS);
    // Every copy of the processed-but-unacknowledged batch was deduplicated,
    // the rows with derived conversion_ids included.
    expect(stats.deduplicated).toBe(500 * dropped);
    const groups = emulator.state.conversions();
    expect(groups).toHaveLength(ROWS);
    const resent = groups.filter((g) => g.capi.length > 1);
    expect(resent.length).toBe(500);
    expect(resent.filter((g) => !g.conversionId?.startsWith('ORD-')).length).toBe(250);
  });
});
