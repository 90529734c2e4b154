/**
 * The inspection API under `/_emulator` (JSON, CORS open to any origin so a
 * dashboard elsewhere can poll) and the same operations in process.
 */
import type { Context, Hono } from 'hono';
import { cors } from 'hono/cors';
import {
  type AttributedDay,
  attributedDays,
  mountAnalyticsInspection,
  type StatsJobView,
  statsJobs,
} from './analytics/analytics-inspection.ts';
import type { EmulatorContext, Env } from './emulator-context.ts';
import type {
  ConversionFilter,
  ConversionGroup,
  EmulatorStats,
  EventFilter,
  EventRecord,
} from './ledger.ts';

/** The inspection API, in process. */
export interface EmulatorInspector {
  events(filter?: EventFilter): EventRecord[];
  conversions(filter?: ConversionFilter): ConversionGroup[];
  stats(): EmulatorStats;
  /** What the emulator attributed, per account, tag and local day (docs/x-api.md §9). */
  attributed(): AttributedDay[];
  /** Stats jobs created so far. */
  statsJobs(): StatsJobView[];
  /** Forgets events, conversions, counters, nonces, rate budgets and stats jobs; restarts the fault sequence. */
  reset(): void;
}

const intQuery = (c: Context<Env>, name: string): number | undefined | 'bad' => {
  const v = c.req.query(name);
  if (v === undefined || v === '') return undefined;
  return /^\d{1,15}$/.test(v) ? Number(v) : 'bad';
};
const badQuery = (c: Context<Env>, field: string, message: string) =>
  c.json({ error: { field, message } }, 400);

export function mountInspection(app: Hono<Env>, ctx: EmulatorContext): EmulatorInspector {
  const { ledger, nonces, accountBudget, requestBudget, statsBudget, jobs, faults } = ctx;

  const inspector: EmulatorInspector = {
    events: (filter) => ledger.events(filter),
    conversions: (filter) => ledger.conversions(filter),
    stats: () => ledger.stats(),
    attributed: () => attributedDays(ctx),
    statsJobs: () => statsJobs(ctx),
    reset() {
      ledger.reset();
      nonces.clear();
      accountBudget.clear();
      requestBudget.clear();
      statsBudget.clear();
      jobs.clear();
      faults.reseed();
    },
  };

  app.use('/_emulator/*', cors({ origin: '*', allowMethods: ['GET', 'POST', 'PUT', 'OPTIONS'] }));
  mountLedgerRoutes(app, ctx);
  app.post('/_emulator/reset', (c) => {
    inspector.reset();
    return c.json({ ok: true });
  });
  mountFaultRoutes(app, ctx);
  mountClockRoutes(app, ctx);
  mountConfigRoute(app, ctx);
  mountAnalyticsInspection(app, ctx);
  return inspector;
}

/** `/_emulator/events`, `/_emulator/conversions`, `/_emulator/stats`. */
function mountLedgerRoutes(app: Hono<Env>, { ledger }: EmulatorContext): void {
  app.get('/_emulator/events', (c) => {
    const since = intQuery(c, 'since');
    const limit = intQuery(c, 'limit');
    if (since === 'bad') return badQuery(c, 'since', 'since must be a non-negative integer');
    if (limit === 'bad') return badQuery(c, 'limit', 'limit must be a non-negative integer');
    const channel = c.req.query('channel');
    if (channel !== undefined && channel !== 'capi' && channel !== 'pixel') {
      return badQuery(c, 'channel', 'channel must be capi or pixel');
    }
    const type = c.req.query('type');
    if (type !== undefined && type !== 'conversion' && type !== 'page_view') {
      return badQuery(c, 'type', 'type must be conversion or page_view');
    }
    const filter: EventFilter = { limit: limit ?? 1000 };
    if (since !== undefined) filter.since = since;
    if (channel) filter.channel = channel;
    if (type) filter.type = type;
    const cid = c.req.query('conversion_id');
    if (cid) filter.conversionId = cid;
    const ev = c.req.query('event_id');
    if (ev) filter.eventKey = ev;
    const events = ledger.events(filter);
    return c.json({ events, lastSeq: events.at(-1)?.seq ?? since ?? 0 });
  });

  app.get('/_emulator/conversions', (c) => {
    const limit = intQuery(c, 'limit');
    if (limit === 'bad') return badQuery(c, 'limit', 'limit must be a non-negative integer');
    const verdict = c.req.query('verdict');
    if (
      verdict !== undefined &&
      !['counted_once', 'unmatched', 'no_conversion_id'].includes(verdict)
    ) {
      return badQuery(c, 'verdict', 'verdict must be counted_once, unmatched or no_conversion_id');
    }
    const filter: ConversionFilter = { limit: limit ?? 1000 };
    if (verdict) filter.verdict = verdict as ConversionFilter['verdict'] & string;
    const cid = c.req.query('conversion_id');
    if (cid) filter.conversionId = cid;
    const ev = c.req.query('event_id');
    if (ev) filter.eventKey = ev;
    return c.json({ conversions: ledger.conversions(filter) });
  });

  app.get('/_emulator/stats', (c) => c.json(ledger.stats()));
}

function mountFaultRoutes(app: Hono<Env>, { faults }: EmulatorContext): void {
  app.get('/_emulator/faults', (c) => c.json(faults.config()));
  app.put('/_emulator/faults', async (c) => {
    let update: unknown;
    try {
      update = await c.req.json();
    } catch {
      return badQuery(c, '(body)', 'body must be a JSON object of fault options');
    }
    try {
      return c.json(faults.set(update));
    } catch (err) {
      const e = err as { field?: string; message: string };
      return badQuery(c, e.field ?? '(body)', e.message);
    }
  });
}

function mountClockRoutes(app: Hono<Env>, { clock }: EmulatorContext): void {
  const clockView = () => ({
    now: new Date(clock.now()).toISOString(),
    nowMs: clock.now(),
    offsetMs: clock.offset(),
  });
  app.get('/_emulator/clock', (c) => c.json(clockView()));
  app.post('/_emulator/clock', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return badQuery(
        c,
        '(body)',
        'body must be {"advanceMs": n} or {"set": "<ISO time or epoch ms>"}',
      );
    }
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (b.advanceMs !== undefined) {
      if (typeof b.advanceMs !== 'number' || !Number.isFinite(b.advanceMs)) {
        return badQuery(c, 'advanceMs', 'advanceMs must be a finite number of milliseconds');
      }
      clock.advance(b.advanceMs);
      return c.json(clockView());
    }
    if (b.set !== undefined) {
      const ms =
        typeof b.set === 'number'
          ? b.set
          : typeof b.set === 'string'
            ? Date.parse(b.set)
            : Number.NaN;
      if (!Number.isFinite(ms)) return badQuery(c, 'set', 'set must be an ISO time or epoch ms');
      clock.set(ms);
      return c.json(clockView());
    }
    return badQuery(
      c,
      '(body)',
      'body must be {"advanceMs": n} or {"set": "<ISO time or epoch ms>"}',
    );
  });
}

function mountConfigRoute(app: Hono<Env>, { config }: EmulatorContext): void {
  app.get('/_emulator/config', (c) =>
    c.json({
      accounts: config.accounts.map((a) => ({
        id: a.id,
        pixels: a.pixels.map((p) => ({
          id: p.id,
          events: p.events.map((e) => ({ id: e.id, name: e.name ?? null })),
        })),
      })),
      users: [...config.users.values()].map((u) => ({
        id: u.id,
        screenName: u.screenName,
        access: u.access,
      })),
      limits: {
        eventsPerWindow: config.eventsPerWindow,
        requestsPerWindow: config.requestsPerWindow,
        rateWindowMs: config.rateWindowMs,
        dedupWindowMs: config.dedupWindowMs,
        oauthMaxSkewSeconds: config.oauthMaxSkewSeconds,
        unknownEventStatus: config.unknownEventStatus,
      },
      analytics: {
        ...config.analytics,
        accounts: [...config.accountsById.values()],
        consumers: Object.fromEntries(config.consumerAccess),
      },
    }),
  );
}
