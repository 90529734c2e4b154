/** What the reliability scenarios share: a temp dir, the checks, and what the hygiene scan needs. */
import type { EmulatorHandle } from '@twclid-kit/emulator';
import { kitHealth } from '../lib/kit-child.ts';
import type { Checks } from './checks.ts';

export interface ScenarioContext {
  dir: string;
  checks: Checks;
  /** Raw PII sent in valid events (emails and phones as typed, and normalized). */
  pii: Set<string>;
  /** Files the hygiene scan must search: SQLite outboxes (with -wal/-shm) and server logs. */
  artifacts: Set<string>;
  seed: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until the emulator counted `expected` conversions and the kit's outbox is empty. */
export async function waitForDrain(
  emulator: EmulatorHandle,
  kitPort: () => number,
  expected: number,
  deadline: number,
): Promise<{ drained: boolean; depth: number | undefined; counted: number }> {
  let depth: number | undefined;
  let counted = 0;
  while (Date.now() < deadline) {
    counted = emulator.state.stats().counted;
    try {
      depth = (await kitHealth(kitPort())).depth;
    } catch {
      depth = undefined;
    }
    if (counted >= expected && depth === 0) return { drained: true, depth, counted };
    await sleep(250);
  }
  return { drained: false, depth, counted };
}

export interface CountingReport {
  /** Accepted by the route but never counted at the emulator. */
  lost: string[];
  /** Counted more than once (more than one conversion group for the key). */
  countedTwice: string[];
  /** Counted although the route never accepted them. */
  unexpected: string[];
  /** Conversion copies X deduplicated (re-sends absorbed by its dedup on conversion_id). */
  deduplicated: number;
  counted: number;
}

/** Compares what the route accepted with what the emulator counted. */
export function countingReport(
  emulator: EmulatorHandle,
  accepted: ReadonlySet<string>,
): CountingReport {
  const perId = new Map<string, number>();
  for (const group of emulator.state.conversions()) {
    if (group.conversionId === null) continue;
    perId.set(group.conversionId, (perId.get(group.conversionId) ?? 0) + 1);
  }
  const stats = emulator.state.stats();
  return {
    lost: [...accepted].filter((id) => !perId.has(id)),
    countedTwice: [...perId].filter(([, n]) => n > 1).map(([id]) => id),
    unexpected: [...perId.keys()].filter((id) => !accepted.has(id)),
    deduplicated: stats.deduplicated,
    counted: stats.counted,
  };
}

export function sample(ids: readonly string[], n = 5): string {
  return ids.length === 0 ? '' : `e.g. ${ids.slice(0, n).join(', ')}`;
}

/**
 * The delivery checks the faults and crash scenarios share: the outbox drained,
 * every accepted event counted once at the emulator, nothing else counted, and
 * no dead letters.
 */
export function checkCountedOnce(
  checks: Checks,
  run: {
    drain: { drained: boolean; depth: number | undefined; counted: number };
    report: CountingReport;
    accepted: ReadonlySet<string>;
    dead: number;
  },
): void {
  const { drain, report, accepted } = run;
  const n = (value: number): string => value.toLocaleString('en-US');
  checks.check(
    'the outbox drained within the time limit',
    drain.drained,
    `depth ${drain.depth ?? 'unknown'}, ${drain.counted} counted`,
  );
  checks.check(
    '0 accepted events lost',
    report.lost.length === 0 && accepted.size > 0,
    `${n(accepted.size - report.lost.length)} of ${n(accepted.size)} accepted events counted${report.lost.length ? `; lost ${sample(report.lost)}` : ''}`,
  );
  checks.check(
    '0 counted twice',
    report.countedTwice.length === 0 && report.counted === accepted.size,
    `${n(report.counted)} counted for ${n(accepted.size)} distinct conversion_ids; ${n(report.deduplicated)} re-sent copies deduplicated by conversion_id${report.countedTwice.length ? `; twice: ${sample(report.countedTwice)}` : ''}`,
  );
  checks.check(
    'nothing counted that was not accepted',
    report.unexpected.length === 0,
    sample(report.unexpected),
  );
  checks.check('no dead letters', run.dead === 0, `${run.dead} dead`);
}
