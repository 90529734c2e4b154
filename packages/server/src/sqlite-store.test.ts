import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { conversion } from '../test/outbox-contract.ts';
import { betterSqlite3Driver } from './better-sqlite3-driver.ts';
import { DEDUP_WINDOW_MS_DEFAULT } from './defaults.ts';
import { ConfigError } from './errors.ts';
import { sqliteOutbox } from './outbox-sqlite.ts';
import type { SqliteDriver } from './sqlite-driver.ts';
import { migrate } from './sqlite-schema.ts';
import { driverOutbox } from './sqlite-store.ts';

/** A migrated in-memory connection that counts the write transactions run on it. */
function countingDriver(): { driver: SqliteDriver; commits: () => number } {
  const inner = betterSqlite3Driver(new Database(':memory:'));
  migrate(inner);
  let commits = 0;
  const driver: SqliteDriver = {
    ...inner,
    writeTransaction(fn) {
      const tx = inner.writeTransaction(fn);
      return (...args) => {
        commits++;
        return tx(...args);
      };
    },
    get open() {
      return inner.open;
    },
  };
  return { driver, commits: () => commits };
}

const put = (store: ReturnType<typeof driverOutbox>) =>
  store.enqueue({
    pixelId: 'o8z6j',
    account: 'a',
    conversion: conversion(),
    now: 1,
    dedupWindowMs: DEDUP_WINDOW_MS_DEFAULT,
  });
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('group commit spacing', () => {
  it('without spacing, enqueues of different event-loop turns commit separately', async () => {
    const { driver, commits } = countingDriver();
    const store = driverOutbox({ driver });
    await put(store);
    const second = put(store);
    await nextTurn();
    const third = put(store);
    await Promise.all([second, third]);
    expect(commits()).toBe(3);
    await store.close();
  });

  it('with spacing, an idle store commits at once and the next turns share one commit', async () => {
    const { driver, commits } = countingDriver();
    const spacingMs = 40;
    const store = driverOutbox({ driver, commitSpacingMs: spacingMs });
    const started = performance.now();
    await put(store);
    // Idle: the first event did not wait for the spacing.
    expect(performance.now() - started).toBeLessThan(spacingMs);
    const committedAt = performance.now();
    const second = put(store);
    await nextTurn();
    const third = put(store);
    await nextTurn();
    const fourth = put(store);
    const results = await Promise.all([second, third, fourth]);
    expect(performance.now() - committedAt).toBeGreaterThanOrEqual(spacingMs - 5);
    expect(commits()).toBe(2);
    expect(new Set(results.map((r) => r.id)).size).toBe(3);
    expect((await store.stats(1)).pending).toBe(4);
    await store.close();
  });

  it('commits a spaced group under fake timers (the real setTimeout and clock)', async () => {
    const { driver, commits } = countingDriver();
    const store = driverOutbox({ driver, commitSpacingMs: 5 });
    vi.useFakeTimers();
    try {
      await put(store);
      await put(store);
      expect(commits()).toBe(2);
    } finally {
      vi.useRealTimers();
      await store.close();
    }
  });

  it('close() commits a group still waiting for its spacing', async () => {
    const { driver } = countingDriver();
    const store = driverOutbox({ driver, commitSpacingMs: 1000 });
    await put(store);
    const waiting = put(store);
    await store.close();
    expect((await waiting).duplicate).toBe(false);
  });

  it('refuses a spacing that is not 0 to 1000 ms, naming the option', () => {
    for (const commitSpacingMs of [-1, 1001, Number.NaN]) {
      expect(() => sqliteOutbox({ path: ':memory:', commitSpacingMs })).toThrow(ConfigError);
      expect(() => sqliteOutbox({ path: ':memory:', commitSpacingMs })).toThrow(/commitSpacingMs/);
    }
  });
});
