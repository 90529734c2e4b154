/**
 * Delivery never stops silently (docs/product.md): a store that fails at
 * start or later is retried with a capped backoff until it works, `/health`
 * answers 503 while the kit cannot store or deliver, intake that cannot store
 * answers 503 with `Retry-After`, and the failure is logged without flooding.
 * Real better-sqlite3 and a second connection holding the write lock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Hono } from 'hono';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { DEDUP_WINDOW_MS_DEFAULT } from '../src/defaults.ts';
import { type TwclidKitOptions, twclidKit } from '../src/kit.ts';
import type { OutboxStore } from '../src/outbox.ts';
import { memoryOutbox } from '../src/outbox-memory.ts';
import { sqliteOutbox } from '../src/outbox-sqlite.ts';
import { fakeX, memoryLogger } from './fakes.ts';
import { conversion } from './outbox-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'twclid-store-failures-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.useRealTimers();
});

const SITE = 'https://shop.example';

function mount(store: OutboxStore, overrides: Partial<TwclidKitOptions> = {}) {
  const x = fakeX();
  const logger = memoryLogger();
  const kit = twclidKit({
    pixelId: 'o8z6j',
    events: ['o87ne'],
    store,
    client: x,
    logger,
    autoStart: false,
    healthDetails: true,
    ...overrides,
  });
  const app = new Hono();
  app.route('/tw', kit);
  const health = async () => {
    const res = await app.request(`${SITE}/tw/health`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const postEvent = () =>
    app.request(`${SITE}/tw/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: SITE },
      body: JSON.stringify({
        event_id: 'o87ne',
        conversion_id: crypto.randomUUID(),
        twclid: '23opevjt88psuo13lu8d020qkn',
      }),
    });
  const failureLines = () =>
    logger.lines.filter(
      (l) => l.message === 'dispatcher.error' || l.message === 'dispatcher.start_failed',
    );
  return { x, logger, kit, health, postEvent, failureLines };
}

describe('a SQLite file locked by another process', () => {
  it('at start: delivery waits, /health and intake answer 503, and delivery resumes once unlocked', async () => {
    const path = join(dir, 'locked.db');
    const seed = sqliteOutbox({ path });
    for (let i = 0; i < 3; i++) {
      await seed.enqueue({
        pixelId: 'o8z6j',
        account: 'o8z6j',
        conversion: conversion(),
        now: Date.now(),
        dedupWindowMs: DEDUP_WINDOW_MS_DEFAULT,
      });
    }
    await seed.close();
    const locker = new Database(path);
    locker.exec('BEGIN IMMEDIATE'); // another process holds the write lock
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { x, kit, health, postEvent, failureLines } = mount(
      sqliteOutbox({ path, busyTimeoutMs: 20 }),
    );
    await kit.start(); // does not reject: the store is retried
    await vi.advanceTimersByTimeAsync(10_000);
    expect(x.accepted).toHaveLength(0);

    const sick = await health();
    expect(sick.status).toBe(503);
    expect(sick.body).toMatchObject({ status: 'unavailable', canDeliver: false });
    expect(String(sick.body.lastError)).toContain('SQLITE_BUSY');
    const refused = await postEvent();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({ error: { code: 'store_unavailable' } });
    // Retried many times in 10 s, logged once.
    expect(failureLines()).toHaveLength(1);

    locker.exec('COMMIT');
    locker.close();
    await vi.advanceTimersByTimeAsync(31_000);
    expect(x.accepted).toHaveLength(3);
    expect((await postEvent()).status).toBe(202);
    await vi.advanceTimersByTimeAsync(31_000); // the intake failure ages out of /health
    const well = await health();
    expect(well.status).toBe(200);
    expect(well.body).toMatchObject({ status: 'ok', canStore: true, canDeliver: true });
    await kit.shutdown({ timeoutMs: 100 });
  });
});

describe('a store that throws', () => {
  function broken(): { store: OutboxStore; calls: { n: number } } {
    const store = memoryOutbox();
    const calls = { n: 0 };
    const fail = async (): Promise<never> => {
      calls.n++;
      throw new Error('disk I/O error');
    };
    return {
      calls,
      store: Object.assign(store, {
        enqueue: fail,
        ready: fail,
        claim: fail,
        stats: fail,
        recoverInFlight: fail,
        nextDueAt: fail,
      }),
    };
  }

  it('answers 503 on /health and on intake (with Retry-After), never 2xx or 500', async () => {
    const { store } = broken();
    const { kit, health, postEvent } = mount(store);
    await kit.start();
    const h = await health();
    expect(h.status).toBe(503);
    expect(h.body).toMatchObject({ status: 'unavailable', lastError: 'disk I/O error' });
    const res = await postEvent();
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await kit.shutdown({ timeoutMs: 10 });
  });

  it('is retried with a capped backoff and logged at most once a minute, not every 25 ms', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { store, calls } = broken();
    const { kit, failureLines } = mount(store);
    await kit.start();
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    // Before: a retry (and an error line) every 25 ms, 12,000 in 5 minutes.
    expect(calls.n).toBeGreaterThan(5); // still retried...
    expect(calls.n).toBeLessThan(60); // ...with a backoff capped at 30 s
    expect(failureLines().length).toBeGreaterThanOrEqual(1);
    expect(failureLines().length).toBeLessThanOrEqual(6);
    await kit.shutdown({ timeoutMs: 10 });
  });
});
