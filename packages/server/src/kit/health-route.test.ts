/**
 * `GET /health` is public (issue #12, item 8): by default it answers
 * `{ status }` only, with the same 200/503 codes as the full report; details
 * need `healthDetails: true` or the configured bearer token. Before, anyone
 * could read the outbox's counts, the accounts, X's debug IDs and the last
 * error (which can name the database's path).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { event, post, SITE, setup, T0 } from '../../test/kit-fixtures.ts';
import { isConfigError } from '../errors.ts';
import type { TwclidKitOptions } from '../kit.ts';
import { memoryOutbox } from '../outbox-memory.ts';

const TOKEN = 'health-token-0123456789abcdef';

async function health(overrides: Partial<TwclidKitOptions>, headers: Record<string, string> = {}) {
  const { app } = setup(overrides);
  await post(app, '/tw/events', event());
  const res = await app.request(`${SITE}/tw/health`, { headers });
  const body = (await res.json()) as Record<string, unknown>;
  return { status: res.status, cache: res.headers.get('cache-control'), body };
}

/** A store that cannot be read, with a message that names its file. */
function unreadable() {
  const store = memoryOutbox();
  store.stats = async () => {
    throw new Error('SQLITE_CANTOPEN: unable to open /srv/shop/.twclid-kit/outbox.db');
  };
  return store;
}

describe('GET /health', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers the public { status } only: no counts, accounts, debug IDs or errors', async () => {
    const ok = await health({});
    expect(ok).toEqual({ status: 200, cache: 'no-store', body: { status: 'ok' } });

    const sick = await health({ store: unreadable() });
    expect(sick.status).toBe(503);
    expect(sick.body).toEqual({ status: 'unavailable' });
    expect(JSON.stringify(sick.body)).not.toContain('/srv/shop');
  });

  it('with healthDetails: true, shows everything to everyone', async () => {
    const ok = await health({ healthDetails: true });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      status: 'ok',
      depth: 1,
      canStore: true,
      counters: { accepted: 1, formSkipped: 0 },
      formSkippedByReason: {},
    });
    const sick = await health({ healthDetails: true, store: unreadable() });
    expect(sick.status).toBe(503);
    expect(sick.body).toMatchObject({ status: 'unavailable', canStore: false });
    expect(String(sick.body.lastError)).toContain('SQLITE_CANTOPEN');
  });

  it('with healthDetails: { token }, shows everything to that bearer token only', async () => {
    const options = { healthDetails: { token: TOKEN } };
    for (const scheme of ['Bearer', 'bearer']) {
      const authorized = await health(options, { authorization: `${scheme} ${TOKEN}` });
      expect(authorized.status).toBe(200);
      expect(authorized.body).toMatchObject({ status: 'ok', depth: 1, counters: { accepted: 1 } });
    }
    const refused: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${TOKEN.slice(0, -1)}x` },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Basic ${btoa(`user:${TOKEN}`)}` },
      { authorization: TOKEN },
    ];
    for (const headers of refused) {
      expect(await health(options, headers)).toEqual({
        status: 200,
        cache: 'no-store',
        body: { status: 'ok' },
      });
    }
    const sick = await health({ ...options, store: unreadable() }, { authorization: 'Bearer x' });
    expect(sick).toMatchObject({ status: 503, body: { status: 'unavailable' } });
    expect(Object.keys(sick.body)).toEqual(['status']);
  });

  it('refuses a healthDetails token that is short or not a string, naming the field', () => {
    for (const healthDetails of [{ token: 'short' }, { token: 42 }, { token: '' }, null]) {
      let error: unknown;
      try {
        setup({ healthDetails } as unknown as Partial<TwclidKitOptions>);
      } catch (e) {
        error = e;
      }
      expect(isConfigError(error), JSON.stringify(healthDetails)).toBe(true);
      expect(String((error as Error).message)).toContain('healthDetails');
    }
  });
});
