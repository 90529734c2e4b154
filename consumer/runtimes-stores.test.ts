/**
 * Issue #14 item 2: the durable outbox inside Bun, Deno and Node's own
 * `node:sqlite` passes the same contract as every other store. Each runtime,
 * from the registry's own npm package, runs fixtures/store-host/host.mjs from
 * an app that installed the packed server: the runtime's store
 * (`@twclid-kit/server/bun-sqlite` on `bun:sqlite`,
 * `@twclid-kit/server/node-sqlite` on `node:sqlite` in Deno and Node 26) on
 * temp files, each method call arriving as JSON over HTTP. Here on Node a
 * proxy `OutboxStore` forwards the calls, and the shared contract suites of
 * packages/server/test/ run against it with their explicit times. The wire
 * refuses any value JSON would not keep (fixtures/store-host/wire.mjs), so
 * what passes is the store's own behaviour.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxStore } from '../packages/server/src/outbox.ts';
import {
  conversion,
  describeDeliveredCountsContract,
  describeOutboxContract,
} from '../packages/server/test/outbox-contract.ts';
import { describeOriginContract } from '../packages/server/test/outbox-origin-contract.ts';
// @ts-expect-error: the fixture is plain JavaScript, shared with the runtimes as is.
import { toWire } from './fixtures/store-host/wire.mjs';
import { type ConsumerApp, consumerApp, FIXTURES } from './lib/app.ts';
import { type Service, startService, stopAll } from './lib/exec.ts';
import { ALL_RUNTIMES, BUN, DENO, NODE_LTS } from './lib/specs.ts';

const wire = toWire as (value: unknown) => string;

let app: ConsumerApp;

beforeAll(async () => {
  // The scenario's app (runtimes-scenario.test.ts): Bun, Deno and a Node with node:sqlite.
  app = await consumerApp('all-runtimes', ALL_RUNTIMES);
  cpSync(join(FIXTURES, 'store-host'), app.path('store-host'), { recursive: true });
});

afterAll(async () => {
  await stopAll();
});

interface Host {
  name: string;
  start(dir: string): Service;
}

const HOSTS: Host[] = [
  {
    name: `Bun (${BUN}, bun:sqlite)`,
    start: (dir) =>
      startService('bun-store', app.path('node_modules/.bin/bun'), ['store-host/host.mjs', dir], {
        cwd: app.dir,
        env: app.env({ DO_NOT_TRACK: '1' }),
      }),
  },
  {
    name: `Node (${NODE_LTS}, node:sqlite)`,
    start: (dir) =>
      startService('node-store', app.path('node_modules/.bin/node'), ['store-host/host.mjs', dir], {
        cwd: app.dir,
        env: app.env(),
      }),
  },
  {
    // The permissions Deno's node:sqlite needs for a file: read and write (no --allow-env:
    // the path is given, so TWCLID_KIT_DB is never read).
    name: `Deno (${DENO}, node:sqlite)`,
    start: (dir) =>
      startService(
        'deno-store',
        app.path('node_modules/.bin/deno'),
        [
          'run',
          '--allow-net=127.0.0.1',
          `--allow-read=${app.dir}`,
          `--allow-write=${dir}`,
          '--node-modules-dir=manual',
          'store-host/host.mjs',
          dir,
        ],
        {
          cwd: app.dir,
          env: app.env({ DENO_DIR: app.path('.deno'), DENO_NO_UPDATE_CHECK: '1' }),
        },
      ),
  },
];

/** What a store method answered inside the runtime, or the error it threw there. */
interface Answer {
  value?: unknown;
  error?: { name: string; message: string; code?: string };
}

describe.each(HOSTS)('the durable outbox inside $name', (host) => {
  let service: Service;
  let base = '';
  let stores = 0;

  async function call(store: string, method: string, args: unknown[]): Promise<unknown> {
    const response = await fetch(base, { method: 'POST', body: wire({ store, method, args }) });
    expect(response.status, service.output()).toBe(200);
    const answer = (await response.json()) as Answer;
    if (answer.error) {
      throw Object.assign(new Error(answer.error.message), {
        name: answer.error.name,
        code: answer.error.code,
      });
    }
    return answer.value;
  }

  /** Which host store each proxy forwards to (the origin contract peeks into its file). */
  const ids = new WeakMap<OutboxStore, string>();

  /** A store living in the runtime; each `open()` is a new file there. */
  function open(): OutboxStore {
    const id = `s${stores++}`;
    const forward =
      (method: string) =>
      (...args: unknown[]) =>
        call(id, method, args);
    const store = {
      enqueue: forward('enqueue'),
      ready: forward('ready'),
      nextDueAt: forward('nextDueAt'),
      stats: forward('stats'),
      countUndelivered: forward('countUndelivered'),
      deadLetters: forward('deadLetters'),
      claim: forward('claim'),
      markDelivered: forward('markDelivered'),
      reschedule: forward('reschedule'),
      markDead: forward('markDead'),
      recoverInFlight: forward('recoverInFlight'),
      requeueDead: forward('requeueDead'),
      purgeDelivered: forward('purgeDelivered'),
      deliveredCounts: forward('deliveredCounts'),
      close: forward('close'),
    } as OutboxStore;
    ids.set(store, id);
    return store;
  }
  const peek = (store: OutboxStore, id: number) => call(ids.get(store) as string, 'peek', [id]);

  beforeAll(async () => {
    const dir = mkdtempSync(join(app.dir, 'stores-'));
    service = host.start(dir);
    const [, url = ''] = await service.waitForOutput(/listening on (http:\/\/\S+)/, 60_000);
    base = url;
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('is the runtime’s own store: a conversion goes in and comes back claimed', async () => {
    const store = open();
    const c = conversion({ conversion_id: 'host-1' });
    const put = await store.enqueue({
      pixelId: 'o8z6j',
      account: 'acc1',
      conversion: c,
      now: 1,
      dedupWindowMs: 1000,
    });
    const [event] = await store.claim({
      pixelId: 'o8z6j',
      account: 'acc1',
      limit: 5,
      now: 1,
      leaseMs: 10,
    });
    expect(event).toMatchObject({ id: put.id, conversion: c, state: 'in_flight' });
    await store.close();
  });

  it('the wire refuses what JSON would change, before it leaves', () => {
    expect(() => wire({ args: [Number.POSITIVE_INFINITY] })).toThrow(/JSON does not keep/);
    expect(() => wire({ args: [-0] })).toThrow(/JSON does not keep/);
    expect(() => wire({ args: [[undefined]] })).toThrow(/undefined inside an array/);
    expect(() => wire({ args: [new Date(0)] })).toThrow(/Date/);
  });

  describeOutboxContract(host.name, open);
  describeOriginContract(host.name, open, peek);
  describeDeliveredCountsContract(host.name, open);
});
