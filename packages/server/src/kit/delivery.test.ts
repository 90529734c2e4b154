import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { event, post, setup, T0, TWCLID } from '../../test/kit-fixtures.ts';
import { isConfigError } from '../errors.ts';
import { sqliteOutbox } from '../outbox-sqlite.ts';
import { createRateBudget } from '../rate-budget.ts';

const dir = mkdtempSync(join(tmpdir(), 'twclid-share-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** X's budget scaled down to 10 events a minute, told to the kit. */
const scaled = () => createRateBudget({ limit: 10, windowMs: 60_000, now: Date.now });

async function flood(app: Parameters<typeof post>[0], n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await post(app, '/tw/events', event({ conversion_id: randomUUID() }));
    expect(res.status).toBe(202);
  }
}

describe("the kit's browser share of X's budget", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets browser posts use half of the given budget by default, server conversions the rest', async () => {
    const { app, kit, x } = setup({ budget: scaled(), autoStart: false });
    app.post('/pay', async (c) =>
      c.json(await kit.sendConversion(c, { eventId: 'o87ne', twclid: TWCLID })),
    );
    await flood(app, 20);
    const server: string[] = [];
    for (let i = 0; i < 3; i++) {
      server.push(
        ((await (await post(app, '/pay', {})).json()) as { conversionId: string }).conversionId,
      );
    }
    await kit.start();
    await kit.flush();
    const sent = x.accepted.map((c) => c.conversion_id);
    // The 3 server conversions first, then 5 of the 20 browser posts (half of 10).
    expect(sent.slice(0, 3)).toEqual(server);
    expect(sent).toHaveLength(8);
    expect((await kit.stats()).pending).toBe(15);
  });

  it('keeps the share in the SQLite file beside X’s budget: a second process on it shares it too', async () => {
    const path = join(dir, 'share.db');
    const first = sqliteOutbox({ path });
    const second = sqliteOutbox({ path });
    const budgetOf = (store: typeof first) => {
      const budget = store.rateBudget?.({ limit: 10, windowMs: 60_000, now: Date.now });
      if (!budget) throw new Error("the SQLite store keeps X's budget");
      return budget;
    };
    const a = setup({ store: first, budget: budgetOf(first), autoStart: false });
    const b = setup({ store: second, budget: budgetOf(second), autoStart: false });
    await flood(a.app, 20);
    await a.kit.start();
    await b.kit.start();
    await a.kit.flush();
    await b.kit.flush();
    // One share of 5 for both processes: the file keeps it.
    expect(a.x.accepted.length + b.x.accepted.length).toBe(5);
    await a.kit.shutdown({ timeoutMs: 100 });
    await b.kit.shutdown({ timeoutMs: 100 });
  });

  it('browserShare: 1 lets browser posts use the whole budget', async () => {
    const { app, kit, x } = setup({ budget: scaled(), browserShare: 1, autoStart: false });
    await flood(app, 20);
    await kit.start();
    await kit.flush();
    expect(x.accepted).toHaveLength(10);
  });

  it('scales the share of a budget that does not tell its limits from X’s default', async () => {
    const { limits: _, ...limitless } = scaled();
    const { app, kit, x } = setup({ budget: limitless, autoStart: false });
    await flood(app, 20);
    await kit.start();
    await kit.flush();
    // 30,000 of X's 60,000 for browser posts: the 10 of the budget itself bind.
    expect(x.accepted).toHaveLength(10);
  });
});

describe('xBudget: X’s budget as the kit sizes its own', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sizes the kit’s own budget and the browser share from it', async () => {
    const { app, kit, x } = setup({ xBudget: { limit: 10, windowMs: 60_000 }, autoStart: false });
    await flood(app, 20);
    await kit.start();
    await kit.flush();
    // Half of 10 for browser posts (browserShare 0.5).
    expect(x.accepted).toHaveLength(5);
    vi.advanceTimersByTime(60_000);
    await kit.flush();
    expect(x.accepted).toHaveLength(10);
    await kit.shutdown({ timeoutMs: 100 });
  });

  it('sizes the store’s shared budget: two processes on one SQLite file spend from one', async () => {
    const path = join(dir, 'x-budget.db');
    const xBudget = { limit: 10, windowMs: 60_000 };
    const a = setup({ store: sqliteOutbox({ path }), xBudget, browserShare: 1, autoStart: false });
    const b = setup({ store: sqliteOutbox({ path }), xBudget, browserShare: 1, autoStart: false });
    await flood(a.app, 30);
    await a.kit.start();
    await b.kit.start();
    await a.kit.flush();
    await b.kit.flush();
    expect(a.x.accepted.length + b.x.accepted.length).toBe(10);
    await a.kit.shutdown({ timeoutMs: 100 });
    await b.kit.shutdown({ timeoutMs: 100 });
  });

  it.each([
    [{ limit: 0 }, /limit must be a positive whole number/],
    [{ limit: 1.5 }, /limit must be a positive whole number/],
    [{ windowMs: -1 }, /windowMs must be a positive whole number/],
    [{ windowMs: Number.NaN }, /windowMs must be a positive whole number/],
    ['500/5s', /must be \{ limit\?, windowMs\? \}/],
  ])('refuses xBudget %j with a ConfigError naming it', (xBudget, message) => {
    let caught: unknown;
    try {
      setup({ xBudget: xBudget as never });
    } catch (error) {
      caught = error;
    }
    expect(isConfigError(caught)).toBe(true);
    expect((caught as Error).message).toMatch(/^xBudget: /);
    expect((caught as Error).message).toMatch(message);
  });

  it('refuses xBudget beside a budget of the app’s own', () => {
    expect(() => setup({ budget: scaled(), xBudget: { limit: 10 } })).toThrow(/^xBudget: .*budget/);
  });
});
