/**
 * The durable outbox for Cloudflare Workers inside workerd: the OutboxStore
 * contract suites (packages/server/test/) run here on Node against
 * `TwclidOutboxObject` on a Durable Object's SQLite storage, through Miniflare
 * on the registry's Node (fixtures/workers/: a test Worker forwards each call
 * to `durableObjectOutbox()`, which calls the object over RPC). Every contract
 * argument and result crosses JSON here, so both are checked to survive it
 * unchanged. Then what only the object can show: its schema version kept in a
 * table (no PRAGMA), and X's budget and 429 pauses shared by every caller.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxStore } from '../packages/server/src/outbox.ts';
import {
  describeDeliveredCountsContract,
  describeOutboxContract,
} from '../packages/server/test/outbox-contract.ts';
import { describeOriginContract } from '../packages/server/test/outbox-origin-contract.ts';
import { type ConsumerApp, consumerApp } from './lib/app.ts';
import { type Service, startService, stopAll } from './lib/exec.ts';
import { ALL_RUNTIMES } from './lib/specs.ts';

let app: ConsumerApp;
let service: Service;
let base = '';

beforeAll(async () => {
  app = await consumerApp('all-runtimes', ALL_RUNTIMES);
  app.copyFixture('workers');
  service = startService('outbox-object', app.path('node_modules/.bin/node'), ['run-worker.mjs'], {
    cwd: app.dir,
    env: app.env({ WORKER_CONFIG: 'outbox-test.jsonc' }),
  });
  [, base = ''] = await service.waitForOutput(/listening on (http:\/\/\S+)/, 60_000);
});

afterAll(async () => {
  await stopAll();
});

/** What JSON keeps of `value` equals `value` (keys whose value is undefined aside, as JSON drops them). */
function expectJsonSafe(value: unknown, what: string): void {
  expect(JSON.parse(JSON.stringify(value ?? null)), `${what} survives JSON`).toEqual(value ?? null);
}

interface Call {
  name: string;
  method: string;
  args?: unknown[];
  budget?: { id: string; limit: number; windowMs: number };
  now?: number;
}

/** One call in the test Worker; rejects with the object's error as the Worker saw it. */
async function call<T>(body: Call): Promise<T> {
  expectJsonSafe(body.args ?? [], `${body.method}'s arguments`);
  const response = await fetch(base, { method: 'POST', body: JSON.stringify(body) });
  const answer = (await response.json()) as {
    value?: T;
    error?: { name: string; message: string; unavailable: boolean };
  };
  if (answer.error) {
    throw Object.assign(new Error(`${answer.error.name}: ${answer.error.message}`), answer.error);
  }
  return answer.value as T;
}

let opened = 0;
/** A store on a new object: each contract test starts empty. */
function openStore(): OutboxStore {
  const name = `contract-${++opened}-${Date.now().toString(36)}`;
  const forward =
    (method: string) =>
    (...args: unknown[]) =>
      call({ name, method, args });
  const store = {
    name,
    enqueue: forward('enqueue'),
    ready: forward('ready'),
    nextDueAt: forward('nextDueAt'),
    claim: forward('claim'),
    markDelivered: forward('markDelivered'),
    reschedule: forward('reschedule'),
    markDead: forward('markDead'),
    recoverInFlight: forward('recoverInFlight'),
    stats: forward('stats'),
    countUndelivered: forward('countUndelivered'),
    deadLetters: forward('deadLetters'),
    requeueDead: forward('requeueDead'),
    purgeDelivered: forward('purgeDelivered'),
    deliveredCounts: forward('deliveredCounts'),
    close: async () => {},
  };
  return store as unknown as OutboxStore;
}

const nameOf = (store: OutboxStore) => (store as unknown as { name: string }).name;

describeOutboxContract('TwclidOutboxObject in workerd', openStore);
describeOriginContract('TwclidOutboxObject in workerd', openStore, (store, id) =>
  call({ name: nameOf(store), method: 'peek', args: [id] }),
);
describeDeliveredCountsContract('TwclidOutboxObject in workerd', openStore);

describe('TwclidOutboxObject in workerd', () => {
  it('keeps its schema version in a table of its own (a Durable Object refuses PRAGMA user_version)', async () => {
    const store = openStore();
    await store.stats(0);
    const tables = await call<string[]>({ name: nameOf(store), method: 'tables' });
    expect(tables).toEqual(
      expect.arrayContaining(['outbox_events', 'twclid_schema_version', 'x_budget_spends']),
    );
  });

  it('shares X budget between callers: two budgets on one object never hand out more than the limit', async () => {
    const name = `budget-${Date.now().toString(36)}`;
    const at = Date.UTC(2026, 0, 1);
    const budget = (id: string) => ({ id, limit: 10, windowMs: 60_000 });
    const take = (id: string, wanted: number, now = at) =>
      call<number>({ name, budget: budget(id), now, method: 'take', args: ['acc1', wanted] });
    expect(await call({ name, budget: budget('a'), now: at, method: 'limits' })).toEqual({
      limit: 10,
      windowMs: 60_000,
    });
    expect(await take('a', 8)).toBe(8);
    expect(await take('b', 5)).toBe(2);
    expect(await take('a', 1)).toBe(0);
    // A refund gives back the caller's own spend: b's 2 come back, a's 8 stay.
    await call({ name, budget: budget('b'), now: at, method: 'refund', args: ['acc1', 2] });
    expect(await take('a', 5)).toBe(2);
    // A spend counts from its request's latest end (the 10 s timeout) for the window: by the
    // callers' clock, 70 s later the whole limit is free again.
    expect(await take('b', 20, at + 71_000)).toBe(10);
    // Another object (another name) has its own budget.
    expect(
      await call({
        name: `${name}-other`,
        budget: budget('a'),
        now: at,
        method: 'take',
        args: ['acc1', 3],
      }),
    ).toBe(3);
  });

  it("shares a 429's pause: X's reset stops every caller until then", async () => {
    const name = `pause-${Date.now().toString(36)}`;
    const at = Date.UTC(2026, 0, 1);
    const budget = (id: string) => ({ id, limit: 100, windowMs: 60_000 });
    await call({
      name,
      budget: budget('a'),
      now: at,
      method: 'update',
      args: ['acc1', { remaining: 0, resetAt: at + 30_000 }],
    });
    const args = ['acc1', 1];
    expect(await call({ name, budget: budget('b'), now: at + 1000, method: 'take', args })).toBe(0);
    expect(
      await call({
        name,
        budget: budget('b'),
        now: at + 1000,
        method: 'nextFreeAt',
        args: ['acc1'],
      }),
    ).toBe(at + 30_000);
    expect(await call({ name, budget: budget('b'), now: at + 30_000, method: 'take', args })).toBe(
      1,
    );
  });
});
