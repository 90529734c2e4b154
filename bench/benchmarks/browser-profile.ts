/**
 * Where the browser script's load time goes: loads the bench:load page in a
 * fresh browser context, one cold load at a time, with the CDP `Profiler`
 * sampling the page's main thread (`--interval` µs) and a Chromium trace of
 * the renderer's main thread, and prints per variant the mean per load of
 *   - self time per function and per source line of the script (an unminified
 *     build, so names are readable),
 *   - main-thread trace events by name (script compile and evaluation, idle
 *     callbacks, timers, the cookie and storage IPC, …): self time.
 * Variants: `kit`, `minimal`, `empty` pages, each on a landing (`?twclid=`),
 * a plain page and a returning visitor without a new click (`…Return`: the
 * context visited the landing once before). Prints only; records nothing.
 *
 *   npx tsx benchmarks/browser-profile.ts [--loads 10] [--interval 50] [--rate 1]
 *     [--variants kitLanding,minimalLanding] [--script <file>] [--compare <file>] [--top 25]
 *     [--mode trace|profile|both] [--brief]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, BrowserContext, CDPSession } from 'playwright-core';
import { build } from 'vite';
import { compileHints } from '../../packages/browser/scripts/compile-hints.ts';
import { jsCookieCore } from '../../packages/browser/scripts/js-cookie-core.ts';
import { type PageScript, startSite, TWCLID } from '../lib/browser-site.ts';
import { launchChromium } from '../lib/chromium.ts';
import { BROWSER_DIR } from '../lib/paths.ts';

const { values: args } = parseArgs({
  options: {
    loads: { type: 'string', default: '10' },
    interval: { type: 'string', default: '50' },
    rate: { type: 'string', default: '1' },
    variants: { type: 'string' },
    script: { type: 'string' },
    /** A second script for the kit variants, loaded interleaved with the first (before/after). */
    compare: { type: 'string' },
    /** Leave out the list of all main-thread events. */
    brief: { type: 'boolean', default: false },
    top: { type: 'string', default: '25' },
    /** `trace` (default: no sampling overhead), `profile` (CPU profile only) or `both`. */
    mode: { type: 'string', default: 'trace' },
  },
});
const LOADS = Number(args.loads);
const RATE = Number(args.rate);
const TOP = Number(args.top);

const VARIANTS = [
  'kitLanding',
  'minimalLanding',
  'emptyLanding',
  'kitPlain',
  'emptyPlain',
  'kitReturn',
  'emptyReturn',
] as const;
type Variant = (typeof VARIANTS)[number];
const chosen = (args.variants?.split(',') ?? VARIANTS) as Variant[];
for (const v of chosen) if (!VARIANTS.includes(v)) throw new Error(`unknown variant ${v}`);

/** The IIFE as the package's vite config builds it (js-cookie inlined, the compile hint), but not minified. */
async function buildReadable(): Promise<string> {
  const out = mkdtempSync(path.join(tmpdir(), 'twclid-profile-'));
  try {
    await build({
      root: BROWSER_DIR,
      configFile: false,
      logLevel: 'warn',
      plugins: [jsCookieCore(), compileHints('twclid.iife.js')],
      build: {
        outDir: out,
        emptyOutDir: false,
        minify: false,
        target: 'es2020',
        lib: {
          entry: path.join(BROWSER_DIR, 'src/iife.ts'),
          formats: ['iife'],
          name: 'twclidKit',
          fileName: () => 'twclid.iife.js',
        },
      },
    });
    return readFileSync(path.join(out, 'twclid.iife.js'), 'utf8');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  positionTicks?: { line: number; ticks: number }[];
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}
interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: { url?: string; stackTrace?: { url?: string }[] } };
}

type Totals = Map<string, number>;
const add = (m: Totals, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);

/** Self time (ms) per function and per script line, from one CPU profile. */
function profileTotals(profile: CpuProfile, functions: Totals, lines: Totals): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000);
  });
  for (const [id, ms] of self) {
    const node = byId.get(id) as ProfileNode;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    const file = url.split('/').pop() || '';
    add(
      functions,
      `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`,
      ms,
    );
    if (file === 'twclid.iife.js') {
      const ticks = node.positionTicks ?? [];
      const total = ticks.reduce((s, t) => s + t.ticks, 0);
      for (const t of ticks) add(lines, `${t.line}`, (ms * t.ticks) / total);
    }
  }
}

/** A main-thread trace event with the time of its nested events. */
interface Span {
  e: TraceEvent;
  children: number;
  /** Inside a task of the page's script (its evaluation or a callback it registered). */
  ours: boolean;
}

/** The trace event runs the page's script: its evaluation, or a callback of it. */
const ofScript = (e: TraceEvent, file: string) =>
  Boolean(e.args?.data?.url?.endsWith(file) || e.args?.data?.stackTrace?.[0]?.url?.endsWith(file));

/**
 * Self time (ms) of complete trace events on the page's main thread, by name
 * (an event's duration minus its nested events'): `names` for all of them,
 * `script` for those inside a task that runs the page's script `file`, and
 * `scriptTasks` the total of those tasks.
 */
function traceTotals(events: TraceEvent[], file: string, into: Result): void {
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) return;
  const own = events
    .filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || (b.dur as number) - (a.dur as number));
  const stack: Span[] = [];
  const end = (s: Span) => s.e.ts + (s.e.dur as number);
  const close = (upTo: number) => {
    while (stack.length && end(stack.at(-1) as Span) <= upTo) {
      const top = stack.pop() as Span;
      const self = ((top.e.dur as number) - top.children) / 1000;
      add(into.trace, top.e.name, self);
      if (top.ours) add(into.script, top.e.name, self);
    }
  };
  for (const e of own) {
    close(e.ts);
    const parent = stack.at(-1);
    if (parent) parent.children += e.dur as number;
    const ours = parent?.ours || ofScript(e, file);
    // The outermost span of a script task: its whole duration counts once.
    if (ours && !parent?.ours) add(into.script, '= script tasks, total', (e.dur as number) / 1000);
    stack.push({ e, children: 0, ours });
  }
  close(Number.POSITIVE_INFINITY);
}

const TRACE_CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'v8',
  'v8.execute',
  'blink',
  'loading',
  'toplevel',
  'mojom',
  'ipc',
  'disabled-by-default-v8.compile',
].join(',');

async function traced(cdp: CDPSession, run: () => Promise<void>): Promise<TraceEvent[]> {
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', ({ value }) =>
    events.push(...(value as unknown as TraceEvent[])),
  );
  const done = new Promise<void>((r) => cdp.once('Tracing.tracingComplete', () => r()));
  await cdp.send('Tracing.start', { categories: TRACE_CATEGORIES, transferMode: 'ReportEvents' });
  await run();
  await cdp.send('Tracing.end');
  await done;
  return events;
}

interface Result {
  functions: Totals;
  lines: Totals;
  trace: Totals;
  script: Totals;
  metrics: Totals;
  /** Per load: the script's tasks and its cookie reads (ms), to see the spread behind the means. */
  /** Loads whose trace named no task of the script. */
  unattributed: number;
  perLoad: Record<
    'tasks' | 'compile' | 'cookieReads' | 'storage' | 'taskMs' | 'scriptMs',
    number
  >[];
}

/** V8's parse and compile events (lazy compilation of each function on its first call included). */
const COMPILE = /^(V8\.(Compile|Parse|PreParse|CollectSourcePositions|Streaming)|v8\.compile)/;

const METRICS = [
  'TaskDuration',
  'ScriptDuration',
  'V8CompileDuration',
  'RecalcStyleDuration',
  'LayoutDuration',
];

async function load(context: BrowserContext, url: string, into: Result): Promise<void> {
  const tab = await context.newPage();
  try {
    const cdp = await context.newCDPSession(tab);
    await cdp.send('Performance.enable');
    if (RATE !== 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: RATE });
    const sampling = args.mode !== 'trace';
    if (sampling) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: Number(args.interval) });
      await cdp.send('Profiler.start');
    }
    const go = async () => {
      await tab.goto(url, { waitUntil: 'load' });
      // bench:load's wait: post-load work (capture call, idle callbacks) runs before the totals.
      await tab.evaluate((ms) => new Promise((r) => setTimeout(r, ms)), 50 * RATE);
    };
    let events: TraceEvent[] = [];
    if (args.mode === 'profile') await go();
    else events = await traced(cdp, go);
    if (sampling) {
      const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
      profileTotals(profile, into.functions, into.lines);
    }
    const { metrics } = await cdp.send('Performance.getMetrics');
    const metric = (name: string) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
    for (const name of METRICS) add(into.metrics, name, metric(name));
    const before = new Map(into.script);
    const file = new URL(url).pathname
      .replace('.html', '.js')
      .replace('/kit.js', '/twclid.iife.js');
    traceTotals(events, file, into);
    const grew = (k: string) => (into.script.get(k) ?? 0) - (before.get(k) ?? 0);
    // A load whose trace names no task of the script (seen on returning visits, whose script
    // comes from the cache) would count as a zero: it is left out of the per-load figures.
    if (args.mode !== 'profile' && grew('= script tasks, total') === 0) {
      into.unattributed++;
      return;
    }
    into.perLoad.push({
      tasks: grew('= script tasks, total'),
      compile: [...into.script.keys()]
        .filter((k) => COMPILE.test(k))
        .reduce((t, k) => t + grew(k), 0),
      cookieReads: grew('RestrictedCookieManager::GetCookiesString'),
      storage: grew('StorageArea::GetAll') + grew('ContentSettingsManager::AllowStorageAccess'),
      taskMs: metric('TaskDuration'),
      scriptMs: metric('ScriptDuration'),
    });
  } finally {
    await tab.close();
  }
}

const emptyResult = (): Result => ({
  functions: new Map(),
  lines: new Map(),
  trace: new Map(),
  script: new Map(),
  metrics: new Map(),
  perLoad: [],
  unattributed: 0,
});

/**
 * `LOADS` loads of variant `v` on each site, interleaved (load 1 on every site,
 * then load 2, …) so a change in the machine's load hits every site alike.
 */
async function profileVariant(browser: Browser, bases: string[], v: Variant): Promise<Result[]> {
  const script = v.replace(/(Landing|Plain|Return)$/, '') as PageScript;
  const query = v.endsWith('Landing') ? `?twclid=${TWCLID}` : '';
  const results = bases.map(emptyResult);
  const scratch = emptyResult();
  for (let i = 0; i <= LOADS; i++) {
    for (const [k, base] of bases.entries()) {
      const context = await browser.newContext();
      try {
        // A returning visitor's context has visited the landing once (not counted).
        if (v.endsWith('Return'))
          await load(context, `${base}/${script}.html?twclid=${TWCLID}`, scratch);
        // Load 0 warms Chromium up and is not counted.
        await load(
          context,
          `${base}/${script}.html${query}`,
          i === 0 ? scratch : (results[k] as Result),
        );
      } finally {
        await context.close();
      }
    }
  }
  return results;
}

function print(title: string, totals: Totals, top = TOP): void {
  console.log(`  ${title}`);
  const rows = [...totals].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [k, ms] of rows) console.log(`    ${(ms / LOADS).toFixed(2).padStart(8)} ms  ${k}`);
}

const scripts = [args.script ? readFileSync(args.script, 'utf8') : await buildReadable()];
if (args.compare) scripts.push(readFileSync(args.compare, 'utf8'));
const sites = await Promise.all(scripts.map((script) => startSite(script)));
const bases = sites.map((site) => `http://127.0.0.1:${(site.address() as AddressInfo).port}`);
const labels = ['', ` (--compare ${args.compare})`];
const browser = await launchChromium();
try {
  for (const v of chosen) {
    // The minimal and empty scripts are the same on every site.
    const results = await profileVariant(
      browser,
      v.startsWith('kit') ? bases : bases.slice(0, 1),
      v,
    );
    for (const [k, r] of results.entries()) report(`${v}${labels[k]}`, r, scripts[k] as string);
  }
} finally {
  await browser.close();
  for (const site of sites) site.close();
}

function report(title: string, r: Result, source: string): void {
  const sourceLines = source.split('\n');
  console.log(`\n${title}: mean per load over ${LOADS} cold loads (CPU ${RATE}×)`);
  print('Performance.getMetrics', r.metrics);
  if (r.functions.size) print('CPU profile, self time per function', r.functions);
  if (r.lines.size) {
    const lines = new Map(
      [...r.lines].map(([l, ms]) => [
        `${l}: ${sourceLines[Number(l) - 1]?.trim().slice(0, 90)}`,
        ms,
      ]),
    );
    print('CPU profile, self time per line of the script', lines, 15);
  }
  const spread = (k: keyof Result['perLoad'][number]) => {
    const sorted = r.perLoad.map((l) => l[k]).sort((a, b) => a - b);
    return `median ${(sorted[sorted.length >> 1] ?? 0).toFixed(1)} [${sorted.map((x) => x.toFixed(1)).join(' ')}]`;
  };
  const left = r.unattributed
    ? ` (${r.unattributed} loads left out: no task of the script in the trace)`
    : '';
  console.log(`  per load${left}: script tasks ${spread('tasks')}`);
  console.log(`    parse and compile ${spread('compile')}`);
  console.log(`    cookie reads ${spread('cookieReads')}`);
  console.log(`    first localStorage access ${spread('storage')}`);
  console.log(`    ScriptDuration ${spread('scriptMs')}; TaskDuration ${spread('taskMs')}`);
  if (r.script.size) print("trace: in the script's own tasks, self time by event", r.script);
  if (r.trace.size && !args.brief)
    print('trace: all main-thread events, self time by event', r.trace);
}
