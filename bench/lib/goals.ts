/**
 * The goals table of the product contract (`docs/product.md`,
 * "Goals we measure"), in its order, with the benchmark that measures each.
 */
export interface Goal {
  id: GoalId;
  what: string;
  goal: string;
  /** The result id (`bench/results/<id>.json`) holding its verdict. */
  measuredBy: string;
}

export type GoalId =
  | 'browser-size'
  | 'browser-main-thread'
  | 'ingest-ratio'
  | 'batch-fill'
  | 'rate-budget'
  | 'idle-latency'
  | 'faults'
  | 'crash'
  | 'bad-input';

export const GOALS: readonly Goal[] = [
  {
    id: 'browser-size',
    what: 'browser script, IIFE, minified + gzip, js-cookie included',
    goal: '≤ 2 KB (hard CI budget ≤ 3 KB)',
    measuredBy: 'browser-size',
  },
  {
    id: 'browser-main-thread',
    what: 'browser script main-thread time at load, against a minimal capture script (one cookie, one localStorage write, one POST) in the same run',
    goal: '≤ 1.25×; a returning visitor without a new click ≤ 1 ms above an empty script',
    measuredBy: 'browser-load',
  },
  {
    id: 'ingest-ratio',
    what: 'server CPU per request of the ingest route (validate + hash + durable enqueue) vs a Hono route that only parses the same JSON, same run',
    goal: '≤ 3×',
    measuredBy: 'ingest',
  },
  {
    id: 'batch-fill',
    what: 'batch fill while backlog ≥ 500',
    goal: '≥ 99% of requests carry 500 events',
    measuredBy: 'delivery',
  },
  {
    id: 'rate-budget',
    what: 'rate budget',
    goal: 'never exceeded in any 15-min window; ≥ 95% used while backlog remains',
    measuredBy: 'delivery',
  },
  {
    id: 'idle-latency',
    what: 'idle latency, accepted → delivered',
    goal: 'p95 ≤ 1.5 s',
    measuredBy: 'delivery',
  },
  {
    id: 'faults',
    what: 'faults: 20% 5xx, 5% timeouts, 5% 429 over 10,000 events',
    goal: '0 lost, 0 counted twice at the emulator',
    measuredBy: 'reliability',
  },
  {
    id: 'crash',
    what: 'crash: SIGKILL the server 10 times during a 10,000-event run',
    goal: '0 accepted events lost',
    measuredBy: 'reliability',
  },
  {
    id: 'bad-input',
    what: 'bad input: 10,000 generated malformed requests',
    goal: 'only 4xx, no crash, nothing enqueued',
    measuredBy: 'reliability',
  },
];
