/**
 * Junk flood (docs/product.md "Goals we measure"; issue: junk traffic must not
 * starve real conversions): one kit server process on SQLite, mounted as the
 * README's app is (the kit's per-IP limit on, one trusted proxy hop, so each
 * post comes from the address in its `X-Forwarded-For`), with the emulator as
 * X and X's budget scaled down (the kit's set to match). Junk, valid events
 * with random UUID conversion IDs, is posted to the public `/events` route at
 * ten times the budget's rate from 100 addresses, while real conversions
 * arrive through the merchant's own routes: flow A (`kit.form()` on
 * `POST /checkout`) and flow C (`kit.sendConversion()` in `POST /api/pay`).
 *
 * Checks: every real conversion accepted, delivered within two flush
 * intervals of its acceptance, none lost or counted twice; the browser events
 * X received never over the browser share of the budget in any window; no 429
 * from X; every junk event the route acknowledged (202) delivered in the end
 * (503 `backlog_full` answers are the bound at work, not losses).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { type EmulatorHandle, startEmulator } from '@twclid-kit/emulator';
import { fakeTwclid, piiNeedles } from '../lib/fake-people.ts';
import { kitHealth, type ServerChild, startKitServer } from '../lib/kit-child.ts';
import { seededRandom } from '../lib/seeded-random.ts';
import { maxInAnyWindow, percentile } from '../lib/stats.ts';
import { BENCH_ORIGIN, EVENT_HEADERS, eventFactory } from '../lib/wire-events.ts';
import { countingReport, type ScenarioContext, sample, waitForDrain } from './context.ts';
import { depthAt, requestsAt } from './postgres-chaos.ts';

export interface JunkFloodOptions {
  /** X's budget scaled down (events per window); the kit's is set to match. */
  limit: number;
  windowMs: number;
  /** How long junk and real conversions are posted. */
  floodMs: number;
  /** Junk posts per second as a multiple of the budget's rate. */
  junkFactor: number;
  /** Distinct client addresses the junk comes from. */
  addresses: number;
  /** Real conversions per second, flows A and C alternating. */
  realPerSecond: number;
  /** The kit's `browserBacklog`. */
  browserBacklog: number;
  timeoutMs: number;
}

/** The kit's defaults the checks are about (docs/product.md "Safety (the server)"). */
const BROWSER_SHARE = 0.5;
const FLUSH_MS = 1000;
/** Junk posts in flight at most: beyond it the flood waits, and says so in its achieved rate. */
const JUNK_CONCURRENCY = 64;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const n = (value: number): string => value.toLocaleString('en-US');

/** Figures for bench/RESULTS.md, filled as the checks run. */
export interface JunkFloodFigures {
  junkOffered: number;
  junkRate: number;
  junkAccepted: number;
  junkBacklogFull: number;
  junkIpLimited: number;
  real: number;
  realLost: number;
  latencyMaxMs: number;
  latencyP95Ms: number;
  browserPeak: number;
  rateLimited: number;
}

interface Tally {
  statuses: Map<number, number>;
  accepted: Set<string>;
  errors: string[];
}

function count(tally: Tally, status: number): void {
  tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
}

/** Junk at `rate` posts a second until `until`, round-robin over `addresses` proxy addresses. */
async function floodJunk(
  ctx: ScenarioContext,
  url: string,
  options: { rate: number; until: number; addresses: number },
): Promise<Tally & { offered: number; seconds: number }> {
  const tally: Tally = { statuses: new Map(), accepted: new Set(), errors: [] };
  const events = eventFactory({ seed: ctx.seed + 31, runId: `junk${ctx.seed}` });
  const started = Date.now();
  let offered = 0;
  const inFlight = new Set<Promise<void>>();
  while (Date.now() < options.until) {
    // Open loop: post what is due by now at the target rate, within the concurrency bound.
    const due = Math.floor(((Date.now() - started) / 1000) * options.rate);
    while (offered < due && inFlight.size < JUNK_CONCURRENCY) {
      const generated = events.next();
      if (offered < 500) for (const needle of piiNeedles(generated.person)) ctx.pii.add(needle);
      // Documentation addresses (RFC 5737), only ever written into a header.
      const address = `203.0.113.${(offered % options.addresses) + 1}`;
      offered++;
      const post = fetch(`${url}/tw/events`, {
        method: 'POST',
        headers: { ...EVENT_HEADERS, 'x-forwarded-for': address },
        body: generated.body,
        signal: AbortSignal.timeout(10_000),
      })
        .then(async (response) => {
          await response.arrayBuffer();
          count(tally, response.status);
          if (response.status === 202) tally.accepted.add(generated.event.conversion_id as string);
        })
        .catch((error: unknown) => {
          tally.errors.push(String(error));
        })
        .finally(() => inFlight.delete(post));
      inFlight.add(post);
    }
    await (inFlight.size >= JUNK_CONCURRENCY ? Promise.race(inFlight) : sleep(2));
  }
  await Promise.all(inFlight);
  return { ...tally, offered, seconds: (Date.now() - started) / 1000 };
}

interface RealConversion {
  id: string;
  flow: 'A' | 'C';
  acceptedAt: number;
}

/** One real conversion through the merchant's routes; resolves with its ID once the kit queued it. */
async function postReal(url: string, flow: 'A' | 'C', k: number, runId: string, twclid: string) {
  // Shoppers behind the same proxy, each with an address of its own (RFC 5737, a header only).
  const shopper = {
    'x-forwarded-for': `198.51.100.${(k % 200) + 1}`,
    origin: BENCH_ORIGIN,
  };
  const response =
    flow === 'A'
      ? await fetch(`${url}/checkout`, {
          method: 'POST',
          headers: { ...shopper, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            twclid,
            conversion_id: randomUUID(),
            email: `buyer${k}@shop.example`,
          }),
          signal: AbortSignal.timeout(10_000),
        })
      : await fetch(`${url}/api/pay`, {
          method: 'POST',
          headers: { ...shopper, 'content-type': 'application/json' },
          body: JSON.stringify({ order_id: `order-${runId}-${k}`, twclid, value: '19.90' }),
          signal: AbortSignal.timeout(10_000),
        });
  const body = (await response.json().catch(() => null)) as {
    status?: string;
    conversionId?: string;
  } | null;
  if (response.status !== 200 || body?.status !== 'queued' || !body.conversionId) {
    throw new Error(`flow ${flow}: HTTP ${response.status} ${JSON.stringify(body)}`);
  }
  return body.conversionId;
}

/** Real conversions at `perSecond`, flows A and C alternating, until `until`. */
async function realFlows(url: string, perSecond: number, until: number, seed: number) {
  const runId = `jf${seed}`;
  const random = seededRandom(seed + 37);
  const real: RealConversion[] = [];
  const errors: string[] = [];
  const posts: Promise<void>[] = [];
  for (let k = 0; Date.now() < until; k++) {
    const flow = k % 2 === 0 ? 'A' : 'C';
    posts.push(
      postReal(url, flow, k, runId, fakeTwclid(random)).then(
        (id) => void real.push({ id, flow, acceptedAt: Date.now() }),
        (error: unknown) => void errors.push(String(error)),
      ),
    );
    await sleep(1000 / perSecond);
  }
  await Promise.all(posts);
  return { real, errors, tried: posts.length };
}

/** When each conversion first reached X with a 200 (epoch ms). */
function firstDelivery(emulator: EmulatorHandle): Map<string, number> {
  const first = new Map<string, number>();
  for (const r of emulator.state.events({ channel: 'capi' })) {
    if (r.conversionId === null || r.httpStatus !== 200) continue;
    const at = Date.parse(r.receivedAt);
    if (!first.has(r.conversionId) || at < (first.get(r.conversionId) as number)) {
      first.set(r.conversionId, at);
    }
  }
  return first;
}

export async function junkFloodScenario(
  ctx: ScenarioContext,
  options: JunkFloodOptions,
  figures: Partial<JunkFloodFigures> = {},
): Promise<void> {
  const { checks } = ctx;
  const junkRate = (options.junkFactor * options.limit * 1000) / options.windowMs;
  const expected = Math.ceil((junkRate * options.floodMs) / 1000) * 2;
  const emulator = await startEmulator({
    port: 0,
    maxEvents: expected * 2,
    maxConversions: expected,
    eventsPerWindow: options.limit,
    rateWindowMs: options.windowMs,
  });
  const db = path.join(ctx.dir, 'junk-flood.db');
  const log = path.join(ctx.dir, 'junk-flood-server.log');
  for (const f of [db, `${db}-wal`, `${db}-shm`, log]) ctx.artifacts.add(f);
  let server: ServerChild | undefined;
  // The depth watcher polls until the end, also when the scenario throws.
  let watching = true;
  try {
    server = await startKitServer({
      xBaseUrl: emulator.url,
      store: 'sqlite',
      db,
      budgetLimit: options.limit,
      budgetWindowMs: options.windowMs,
      flushMs: FLUSH_MS,
      batchSize: Math.min(500, Math.max(10, Math.round(options.limit / 10))),
      trustProxy: true,
      ipRateLimit: true,
      browserShare: BROWSER_SHARE,
      browserBacklog: options.browserBacklog,
      shopRoutes: true,
      logFile: log,
    });
    const port = server.ready.port;
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + options.timeoutMs;
    const depths: number[] = [];
    const watcher = (async () => {
      while (watching) {
        const depth = await depthAt(port);
        if (depth !== undefined) depths.push(depth);
        await sleep(250);
      }
    })();
    const until = Date.now() + options.floodMs;
    const [junk, flows] = await Promise.all([
      floodJunk(ctx, url, { rate: junkRate, until, addresses: options.addresses }),
      realFlows(url, options.realPerSecond, until, ctx.seed),
    ]);
    const statusOf = (s: number) => junk.statuses.get(s) ?? 0;
    Object.assign(figures, {
      junkOffered: junk.offered,
      junkRate: junk.offered / junk.seconds,
      junkAccepted: junk.accepted.size,
      junkBacklogFull: statusOf(503),
      junkIpLimited: statusOf(429),
      real: flows.real.length,
    });
    const budgetRate = (options.limit * 1000) / options.windowMs;
    checks.check(
      `junk posted at ${options.junkFactor}× the budget's rate from ${options.addresses} addresses`,
      junk.offered / junk.seconds >= options.junkFactor * budgetRate * 0.9 &&
        junk.errors.length === 0,
      `${n(junk.offered)} posts in ${junk.seconds.toFixed(1)} s (${(junk.offered / junk.seconds).toFixed(0)}/s, budget ${budgetRate.toFixed(0)}/s): ${[...junk.statuses].map(([s, c]) => `${s}×${n(c)}`).join(', ')}${junk.errors.length ? `; ${junk.errors.length} failed, ${junk.errors[0]}` : ''}`,
    );
    checks.check(
      'the browser backlog bound answered 503 backlog_full, and only that 5xx',
      statusOf(503) > 0 && [...junk.statuses.keys()].every((s) => s < 500 || s === 503),
      `${n(statusOf(503))} answered 503; deepest outbox ${Math.max(0, ...depths)} (browserBacklog ${n(options.browserBacklog)})`,
    );
    const byFlow = (f: 'A' | 'C') => flows.real.filter((r) => r.flow === f).length;
    checks.check(
      'every real conversion accepted (flow A: kit.form(), flow C: sendConversion())',
      flows.errors.length === 0 && flows.real.length === flows.tried && flows.tried > 0,
      `${flows.real.length} of ${flows.tried} (A ${byFlow('A')}, C ${byFlow('C')})${flows.errors.length ? `; ${flows.errors[0]}` : ''}`,
    );
    const all = new Set([...junk.accepted, ...flows.real.map((r) => r.id)]);
    const drain = await waitForDrain(emulator, () => port, all.size, deadline);
    watching = false;
    await watcher;
    checkDelivery(ctx, emulator, { options, flows: flows.real, junk: junk.accepted, all }, figures);
    checks.check(
      'the outbox drained within the time limit',
      drain.drained,
      `depth ${drain.depth ?? 'unknown'}, ${n(drain.counted)} counted of ${n(all.size)}`,
    );
    const health = await kitHealth(port);
    checks.check('no dead letters', health.dead === 0, `${health.dead} dead`);
  } finally {
    watching = false;
    await server?.stop('SIGTERM').catch(() => {});
    await emulator.close();
  }
}

/** The delivery checks: real conversions on time, the browser share, acknowledged junk delivered. */
function checkDelivery(
  ctx: ScenarioContext,
  emulator: EmulatorHandle,
  run: {
    options: JunkFloodOptions;
    flows: RealConversion[];
    junk: ReadonlySet<string>;
    all: ReadonlySet<string>;
  },
  figures: Partial<JunkFloodFigures>,
): void {
  const { checks } = ctx;
  const { options } = run;
  const first = firstDelivery(emulator);
  const late: string[] = [];
  const latencies: number[] = [];
  for (const r of run.flows) {
    const at = first.get(r.id);
    if (at === undefined) continue;
    latencies.push(at - r.acceptedAt);
    if (at - r.acceptedAt > 2 * FLUSH_MS) late.push(`${r.flow} ${r.id} ${at - r.acceptedAt} ms`);
  }
  const lost = run.flows.filter((r) => !first.has(r.id)).map((r) => `${r.flow} ${r.id}`);
  figures.realLost = lost.length;
  figures.latencyMaxMs = Math.max(0, ...latencies);
  figures.latencyP95Ms = latencies.length ? percentile(latencies, 95) : 0;
  checks.check(
    `every real conversion reached X within two flush intervals (${(2 * FLUSH_MS) / 1000} s) of its acceptance`,
    late.length === 0 && lost.length === 0 && run.flows.length > 0,
    `${latencies.length} of ${run.flows.length}: p95 ${figures.latencyP95Ms} ms, max ${figures.latencyMaxMs} ms${late.length ? `; late ${sample(late)}` : ''}${lost.length ? `; lost ${sample(lost)}` : ''}`,
  );
  const report = countingReport(emulator, run.all);
  checks.check(
    '0 acknowledged events lost (real and junk), 0 counted twice',
    report.lost.length === 0 && report.countedTwice.length === 0,
    `${n(run.all.size - report.lost.length)} of ${n(run.all.size)} counted (${n(run.junk.size)} junk acknowledged)${report.lost.length ? `; lost ${sample(report.lost)}` : ''}${report.countedTwice.length ? `; twice ${sample(report.countedTwice)}` : ''}`,
  );
  checks.check(
    'nothing counted that was not acknowledged',
    report.unexpected.length === 0,
    sample(report.unexpected),
  );
  // Browser events by X's time of arrival: what the share promises.
  const browser = emulator.state
    .events({ channel: 'capi' })
    .filter((r) => r.conversionId !== null && run.junk.has(r.conversionId))
    .map((r) => ({ at: Date.parse(r.receivedAt), count: 1 }));
  const share = Math.floor(options.limit * BROWSER_SHARE);
  figures.browserPeak = maxInAnyWindow(browser, options.windowMs);
  checks.check(
    `browser events never over the share (${BROWSER_SHARE * 100}% of the budget) in any window`,
    figures.browserPeak <= share,
    `at most ${figures.browserPeak} of ${share} browser events received by X in any ${options.windowMs / 1000} s window; at most ${maxInAnyWindow(requestsAt(emulator), options.windowMs)} of ${options.limit} events of any origin`,
  );
  const stats = emulator.state.stats();
  figures.rateLimited = stats.rateLimited;
  checks.check('no 429 from X', stats.rateLimited === 0, `${stats.rateLimited} answers 429`);
}
