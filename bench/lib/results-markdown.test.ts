import { describe, expect, it } from 'vitest';
import { GOALS } from './goals.ts';
import type { BenchResult } from './results.ts';
import { anchor, HISTORY_END, HISTORY_START, renderResults } from './results-markdown.ts';

const machine = { cpu: 'Test CPU', cores: 2, memoryGiB: 24, os: 'Linux 6 x64', node: 'v20.20.0' };

const ingest: BenchResult = {
  id: 'ingest',
  title: 'Ingest: route vs bare Hono',
  command: 'npm run bench:ingest',
  date: '2026-11-29T01:00:00.000Z',
  durationS: 42,
  machine,
  parameters: { connections: 10 },
  figures: [
    {
      name: 'memory store',
      value: 3000,
      unit: 'req/s',
      baseline: { name: 'bare 204', value: 10000 },
    },
  ],
  verdicts: [{ goal: 'ingest-ratio', measured: '0.30× (3,000 vs 10,000 req/s)', met: false }],
  notes: ['per-IP rate limit raised for the load generator'],
};

describe('renderResults', () => {
  it('lists every product goal, with met/missed where measured', () => {
    const md = renderResults([ingest]);
    for (const goal of GOALS) expect(md).toContain(goal.goal.replace(/\|/g, '\\|'));
    expect(md).toMatch(/\| 0\.30× \(3,000 vs 10,000 req\/s\) \| \*\*missed\*\* \|/);
    expect(md.match(/not measured yet/g)).toHaveLength(GOALS.length - 1);
  });

  it('prints each figure with its same-run baseline and ratio', () => {
    const md = renderResults([ingest]);
    expect(md).toContain('| memory store | 3,000 req/s | bare 204: 10,000 req/s | 0.30× |');
    expect(md).toContain('- command: `npm run bench:ingest`');
    expect(md).toContain('Machine: Test CPU, 2 cores, 24 GiB');
  });

  it('keeps the hand-written history section across renders', () => {
    const first = renderResults([ingest]);
    const edited = first.replace('None recorded yet.', 'Fixed the enqueue: 1,000 → 3,000 req/s.');
    const second = renderResults([ingest], edited);
    expect(second).toContain('Fixed the enqueue: 1,000 → 3,000 req/s.');
    expect(second.indexOf(HISTORY_START)).toBeLessThan(second.indexOf(HISTORY_END));
  });

  it('makes GitHub-style anchors', () => {
    expect(anchor('Ingest: route vs bare Hono')).toBe('ingest-route-vs-bare-hono');
  });
});
