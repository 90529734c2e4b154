/**
 * One benchmark's result: what ran, where, its figures (each optionally against
 * a baseline measured in the same run) and its verdicts on the product goals.
 * Saved as `bench/results/<id>.json`; `RESULTS.md` is rendered from those files.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GoalId } from './goals.ts';
import type { Machine } from './machine.ts';
import { machineLine } from './machine.ts';

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** A baseline measured in the same run, for the ratio `value / baseline.value`. */
  baseline?: { name: string; value: number };
}

export interface Verdict {
  goal: GoalId;
  measured: string;
  met: boolean;
}

export interface BenchResult {
  id: string;
  title: string;
  /** The command that reproduces it, from the repository root. */
  command: string;
  /** ISO 8601 start time. */
  date: string;
  durationS: number;
  machine: Machine;
  parameters: Record<string, string | number | boolean>;
  figures: Figure[];
  verdicts: Verdict[];
  notes: string[];
}

export const BENCH_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const RESULTS_DIR = path.join(BENCH_DIR, 'results');

export function saveResult(result: BenchResult, dir = RESULTS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${result.id}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

export function loadResults(dir = RESULTS_DIR): BenchResult[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names
    .sort()
    .map((n) => JSON.parse(readFileSync(path.join(dir, n), 'utf8')) as BenchResult);
}

/** Formats a number for people: thousands separators, sensible decimals. */
export function formatNumber(value: number, unit = ''): string {
  if (!Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  const text = value.toLocaleString('en-US', {
    minimumFractionDigits: 0,
    maximumFractionDigits: digits,
  });
  return unit ? `${text} ${unit}` : text;
}

export function formatRatio(value: number, baseline: number): string {
  if (baseline === 0 || !Number.isFinite(value / baseline)) return '—';
  return `${(value / baseline).toFixed(2)}×`;
}

/** Prints a result as an aligned table on stdout. */
export function printResult(result: BenchResult): void {
  const rows = result.figures.map((f) => [
    f.name,
    formatNumber(f.value, f.unit),
    f.baseline ? `${f.baseline.name}: ${formatNumber(f.baseline.value, f.unit)}` : '',
    f.baseline ? formatRatio(f.value, f.baseline.value) : '',
  ]);
  const header = ['figure', 'value', 'baseline (same run)', 'ratio'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ');
  console.log(`\n${result.title}`);
  console.log(`  ${machineLine(result.machine)}`);
  console.log(`  ${line(header)}`);
  for (const row of rows) console.log(`  ${line(row)}`);
  for (const v of result.verdicts) {
    console.log(`  goal ${v.goal}: ${v.measured} → ${v.met ? 'met' : 'MISSED'}`);
  }
  for (const note of result.notes) console.log(`  note: ${note}`);
}
