/**
 * `twclid-kit outbox …` on a SQLite outbox written through the store's API,
 * as the route would have left it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CapiConversion } from '@twclid-kit/server';
import { sqliteOutbox } from '@twclid-kit/server/sqlite';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './run-cli.ts';

const DAY = 86_400_000;
const WEEK = 7 * DAY;

function conversion(id: string): CapiConversion {
  return {
    conversion_time: '2026-11-28T10:00:00.000Z',
    event_id: 'o87ne',
    conversion_id: id,
    identifiers: [{ twclid: `click-${id}` }],
  };
}

let db: string;
let env: Record<string, string>;

beforeEach(async () => {
  db = join(tempDir(), 'outbox.db');
  env = { PATH: process.env.PATH ?? '', TWCLID_KIT_DB: db };
  const store = sqliteOutbox({ path: db });
  const now = Date.now();
  const add = async (id: string, account: string, at: number) =>
    (
      await store.enqueue({
        pixelId: 'o8z6j',
        account,
        conversion: conversion(id),
        now: at,
        dedupWindowMs: WEEK,
      })
    ).id;
  // Two pending on one account, one on another; one dead; one delivered long ago.
  await add('p1', '18ce552mlaq', now - 60_000);
  await add('p2', '18ce552mlaq', now);
  await add('p3', 'otheraccount', now);
  // Settling needs the claim's token; each is claimed alone, at its own (older) time.
  const claimOne = async (at: number) =>
    (
      await store.claim({ pixelId: 'o8z6j', account: '18ce552mlaq', limit: 1, now: at, leaseMs: 1 })
    ).map((e) => ({ id: e.id, token: e.claim?.token ?? '' }));
  const dead = await add('d1', '18ce552mlaq', now - 31 * DAY);
  const [deadClaim] = await claimOne(now - 31 * DAY);
  expect(deadClaim?.id).toBe(dead);
  await store.markDead(
    [
      {
        ...(deadClaim as { id: number; token: string }),
        reason: 'X rejected the conversion: WEB_EVENT_TAG_NOT_FOUND',
      },
    ],
    now,
  );
  const old = await add('old', '18ce552mlaq', now - 30 * DAY);
  const oldClaim = await claimOne(now - 30 * DAY);
  expect(oldClaim.map((r) => r.id)).toEqual([old]);
  await store.markDelivered(oldClaim, now - 30 * DAY);
  await store.close();
});

describe('outbox', { timeout: 60_000 }, () => {
  it('status: depth per account, oldest age, counts', async () => {
    const run = await runCli(['outbox', 'status', '--json'], { env });
    expect(run.code).toBe(0);
    const status = JSON.parse(run.stdout);
    expect(status).toMatchObject({
      db,
      pending: 3,
      dead: 1,
      delivered: 1,
      depthByAccount: { '18ce552mlaq': 2, otheraccount: 1 },
    });
    expect(status.oldestPendingAgeMs).toBeGreaterThanOrEqual(60_000);
    // The dead and the delivered event count for neither depth nor age.
    expect(status.oldestPendingAgeMsByAccount['18ce552mlaq']).toBeGreaterThanOrEqual(60_000);
    expect(status.oldestPendingAgeMsByAccount['18ce552mlaq']).toBeLessThan(120_000);
    expect(status.oldestPendingAgeMsByAccount.otheraccount).toBeLessThan(60_000);
    expect(Object.keys(status.oldestPendingAgeMsByAccount).sort()).toEqual([
      '18ce552mlaq',
      'otheraccount',
    ]);

    const text = await runCli(['outbox', 'status'], { env });
    expect(text.stdout).toMatch(/oldest undelivered\s+1m/);
    expect(text.stdout).toMatch(/account\s+depth\s+oldest undelivered/);
    expect(text.stdout).toMatch(/18ce552mlaq\s+2\s+1m \d+s/);
    expect(text.stdout).toMatch(/otheraccount\s+1\s+\d+s/);
  });

  it('dead: lists dead letters with their reasons; retry requeues them', async () => {
    const dead = await runCli(['outbox', 'dead', '--json'], { env });
    expect(dead.code).toBe(0);
    const { dead: rows } = JSON.parse(dead.stdout);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      conversionId: 'd1',
      eventId: 'o87ne',
      reason: expect.stringContaining('WEB_EVENT_TAG_NOT_FOUND'),
    });

    const retry = await runCli(['outbox', 'retry', '--id', String(rows[0].id)], { env });
    expect(retry.code).toBe(0);
    expect(retry.stdout).toContain('Requeued 1 dead letter');
    const status = JSON.parse((await runCli(['outbox', 'status', '--json'], { env })).stdout);
    expect(status).toMatchObject({ pending: 4, dead: 0 });
  });

  it('purge: deletes delivered rows past retention, never younger than 48h', async () => {
    const tooYoung = await runCli(['outbox', 'purge', '--older-than', '1h'], { env });
    expect(tooYoung.code).toBe(2);
    expect(tooYoung.stderr).toContain('at least 48h');

    const purge = await runCli(['outbox', 'purge', '--older-than', '7d', '--json'], { env });
    expect(purge.code).toBe(0);
    expect(JSON.parse(purge.stdout)).toEqual({ purged: 1, olderThanMs: WEEK });
    const status = JSON.parse((await runCli(['outbox', 'status', '--json'], { env })).stdout);
    expect(status.delivered).toBe(0);
  });

  it('refuses to create a missing database (exit 2)', async () => {
    const missing = join(tempDir(), 'nope.db');
    const run = await runCli(['outbox', 'status', '--db', missing], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`no outbox database at ${missing}`);
    expect(existsSync(missing)).toBe(false);
  });
});
