/**
 * Runs one benchmark: times it, records the machine, prints the figures,
 * saves `bench/results/<id>.json` and re-renders `bench/RESULTS.md`.
 * Child processes are always cleaned up, also when the benchmark throws.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeMachine, loadAverage, type Machine } from './machine.ts';
import { killAllChildren } from './processes.ts';
import {
  BENCH_DIR,
  type BenchResult,
  type Figure,
  loadResults,
  printResult,
  saveResult,
  type Verdict,
} from './results.ts';
import { renderResults } from './results-markdown.ts';

export interface BenchOutcome {
  figures: Figure[];
  verdicts?: Verdict[];
  notes?: string[];
  /** Extra machine facts (e.g. the Chromium version). */
  machine?: Partial<Machine>;
}

export interface BenchSpec {
  id: string;
  title: string;
  command: string;
  parameters?: Record<string, string | number | boolean>;
}

export const RESULTS_MD = path.join(BENCH_DIR, 'RESULTS.md');

export function writeResultsMarkdown(): void {
  const previous = existsSync(RESULTS_MD) ? readFileSync(RESULTS_MD, 'utf8') : undefined;
  writeFileSync(RESULTS_MD, renderResults(loadResults(), previous));
  // The repository's formatter aligns markdown tables; format the file the way
  // `npm run lint` expects it, so a fresh run never leaves the tree unformatted.
  const biome = path.join(BENCH_DIR, '..', 'node_modules', '.bin', 'biome');
  if (existsSync(biome)) {
    try {
      execFileSync(biome, ['format', '--write', RESULTS_MD], { stdio: 'ignore', timeout: 60_000 });
    } catch {
      // Unformatted is still correct; lint will say so.
    }
  }
}

/** Runs `body`, then records and prints its outcome. Exits the process with 1 if it throws. */
export async function runBench(spec: BenchSpec, body: () => Promise<BenchOutcome>): Promise<void> {
  const started = Date.now();
  const load = loadAverage();
  console.log(`▶ ${spec.title} (load average ${load})`);
  try {
    const outcome = await body();
    const result: BenchResult = {
      id: spec.id,
      title: spec.title,
      command: spec.command,
      date: new Date(started).toISOString(),
      durationS: (Date.now() - started) / 1000,
      machine: { ...describeMachine(), ...outcome.machine, loadAverage: load },
      parameters: spec.parameters ?? {},
      figures: outcome.figures,
      verdicts: outcome.verdicts ?? [],
      notes: outcome.notes ?? [],
    };
    printResult(result);
    saveResult(result);
    writeResultsMarkdown();
  } catch (error) {
    console.error(`✗ ${spec.title} failed:`, error);
    process.exitCode = 1;
  } finally {
    killAllChildren();
  }
}
