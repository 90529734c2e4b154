/**
 * Renders `bench/RESULTS.md` from the saved results. The section between the
 * history markers is written by people (causes found, fixes made, before and
 * after figures) and is carried over unchanged on every render.
 */
import { GOALS } from './goals.ts';
import { machineLine } from './machine.ts';
import { type BenchResult, formatNumber, formatRatio } from './results.ts';

export const HISTORY_START = '<!-- history:start (kept on re-render) -->';
export const HISTORY_END = '<!-- history:end -->';

const DEFAULT_HISTORY = `${HISTORY_START}
## Fixes: before and after

None recorded yet.
${HISTORY_END}`;

/** The hand-written history section of an existing RESULTS.md, markers included. */
export function extractHistory(previous: string | undefined): string {
  if (!previous) return DEFAULT_HISTORY;
  const start = previous.indexOf(HISTORY_START);
  const end = previous.indexOf(HISTORY_END);
  if (start < 0 || end < start) return DEFAULT_HISTORY;
  return previous.slice(start, end + HISTORY_END.length);
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderResults(results: readonly BenchResult[], previous?: string): string {
  const byId = new Map(results.map((r) => [r.id, r]));
  const out: string[] = [];
  out.push('# Benchmark results');
  out.push('');
  out.push(
    'Measured numbers for the goals in the product contract. Every figure below comes from a ' +
      'command in this repository (`npm run bench` runs them all and re-renders this file; each ' +
      'benchmark also has its own script). Ratios compare against a baseline measured in the same ' +
      'run on the same machine; no benchmark passes or fails on absolute time.',
  );
  out.push('');
  // The Chromium version belongs to the browser benchmark only: leave it out of the shared line.
  const hostLine = (r: BenchResult): string => machineLine({ ...r.machine, chromium: undefined });
  const machines = new Set(results.map(hostLine));
  if (machines.size === 1) out.push(`Machine: ${[...machines][0]}.`, '');

  out.push('## Goals');
  out.push('');
  out.push('| what | goal | measured | verdict | from |');
  out.push('|---|---|---|---|---|');
  for (const goal of GOALS) {
    const result = byId.get(goal.measuredBy);
    const verdict = result?.verdicts.find((v) => v.goal === goal.id);
    const measured = verdict ? verdict.measured : 'not measured yet';
    const status = verdict ? (verdict.met ? '**met**' : '**missed**') : '—';
    const from = result
      ? `[${result.id}](#${anchor(result.title)}), ${result.date.slice(0, 10)}`
      : '—';
    out.push(
      `| ${cell(goal.what)} | ${cell(goal.goal)} | ${cell(measured)} | ${status} | ${from} |`,
    );
  }
  out.push('');

  // Sections in the order of the goals they measure, then the rest.
  const rank = (r: BenchResult): number => {
    const i = GOALS.findIndex((g) => g.measuredBy === r.id);
    return i < 0 ? GOALS.length : i;
  };
  const ordered = [...results].sort((a, b) => rank(a) - rank(b) || a.id.localeCompare(b.id));
  for (const result of ordered) {
    out.push(`## ${result.title}`);
    out.push('');
    out.push(`- command: \`${result.command}\``);
    out.push(`- date: ${result.date} (took ${formatNumber(result.durationS, 's')})`);
    if (machines.size !== 1) out.push(`- machine: ${hostLine(result)}`);
    if (result.machine.chromium) out.push(`- browser: ${result.machine.chromium}`);
    if (result.machine.loadAverage) {
      out.push(`- load average at start (1, 5, 15 min): ${result.machine.loadAverage}`);
    }
    const params = Object.entries(result.parameters);
    if (params.length > 0) {
      out.push(`- parameters: ${params.map(([k, v]) => `${k}=${String(v)}`).join(', ')}`);
    }
    out.push('');
    out.push('| figure | value | baseline (same run) | ratio |');
    out.push('|---|---:|---:|---:|');
    for (const f of result.figures) {
      const baseline = f.baseline
        ? `${f.baseline.name}: ${formatNumber(f.baseline.value, f.unit)}`
        : '';
      const r = f.baseline ? formatRatio(f.value, f.baseline.value) : '';
      out.push(`| ${cell(f.name)} | ${formatNumber(f.value, f.unit)} | ${cell(baseline)} | ${r} |`);
    }
    out.push('');
    for (const note of result.notes) out.push(`- ${note}`);
    if (result.notes.length > 0) out.push('');
  }

  out.push(extractHistory(previous));
  out.push('');
  return out.join('\n');
}

/** GitHub's heading anchor: lowercase, spaces to dashes, punctuation dropped. */
export function anchor(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}
