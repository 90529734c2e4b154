import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryLogger } from '../../test/fakes.ts';
import { event, post, setup, T0, TWCLID } from '../../test/kit-fixtures.ts';
import { ConfigError } from '../errors.ts';
import { memoryOutbox } from '../outbox-memory.ts';
import {
  BACKLOG_REFRESH_MS,
  BACKLOG_RETRY_AFTER_S,
  BROWSER_BACKLOG_DEFAULT,
  createBrowserBacklog,
} from './browser-backlog.ts';

/** A browser post with a fresh random conversion ID, as the script mints them. */
const fresh = () => event({ conversion_id: randomUUID() });

describe('the browser backlog bound', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers the 6th browser post 503 backlog_full with Retry-After at browserBacklog 5; a server conversion still goes in, nothing is dropped', async () => {
    const { app, kit, store } = setup({ browserBacklog: 5, autoStart: false });
    app.post('/pay', async (c) =>
      c.json(
        await kit.sendConversion(c, {
          eventId: 'o87ne',
          conversionId: 'order-1003',
          twclid: TWCLID,
        }),
      ),
    );
    for (let i = 0; i < 5; i++) expect((await post(app, '/tw/events', fresh())).status).toBe(202);
    const refused = await post(app, '/tw/events', fresh());
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe(String(BACKLOG_RETRY_AFTER_S));
    expect(await refused.json()).toMatchObject({ error: { code: 'backlog_full' } });

    // sendConversion() is server-vouched: never refused for the browser backlog.
    const server = await post(app, '/pay', {});
    expect(await server.json()).toMatchObject({ status: 'queued', conversionId: 'order-1003' });
    expect(await store.countUndelivered?.({ origin: 'browser' })).toBe(5);
    expect(await store.countUndelivered?.({ origin: 'server' })).toBe(1);
  });

  it('takes browser posts again once delivery made room (the count is read again after a second)', async () => {
    const { app, kit } = setup({ browserBacklog: 2, autoStart: false });
    await post(app, '/tw/events', fresh());
    await post(app, '/tw/events', fresh());
    expect((await post(app, '/tw/events', fresh())).status).toBe(503);
    await kit.start();
    await kit.flush();
    // Still the cached count within the second…
    expect((await post(app, '/tw/events', fresh())).status).toBe(503);
    await vi.advanceTimersByTimeAsync(BACKLOG_REFRESH_MS);
    // …then the store's: the refresh runs beside this post, the next one sees it.
    await post(app, '/tw/events', fresh());
    expect((await post(app, '/tw/events', fresh())).status).toBe(202);
  });

  it('a bad post still gets its 400 when the backlog is full', async () => {
    const { app } = setup({ browserBacklog: 1, autoStart: false });
    await post(app, '/tw/events', fresh());
    const bad = await post(app, '/tw/events', event({ conversion_id: 'order-1003' }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { field: 'conversion_id' } });
  });

  it('reads the store at most once a second, counting its own posts meanwhile', async () => {
    const store = memoryOutbox();
    const counts = vi.spyOn(store, 'countUndelivered');
    const backlog = createBrowserBacklog({
      store,
      limit: 3,
      now: Date.now,
      logger: memoryLogger(),
    });
    for (let i = 0; i < 3; i++) {
      expect(await backlog.full()).toBe(false);
      backlog.added();
    }
    expect(await backlog.full()).toBe(true);
    expect(counts).toHaveBeenCalledTimes(1);
    // The store holds none of them (another process delivered them): seen after a second.
    vi.advanceTimersByTime(BACKLOG_REFRESH_MS);
    await backlog.full();
    expect(await backlog.full()).toBe(false);
    expect(counts).toHaveBeenCalledTimes(2);
  });

  it('lets posts through, with one warning, for a store that cannot count', async () => {
    const logger = memoryLogger();
    const { countUndelivered: _, ...custom } = memoryOutbox();
    const unbounded = createBrowserBacklog({ store: custom, limit: 1, now: Date.now, logger });
    unbounded.added();
    unbounded.added();
    expect(await unbounded.full()).toBe(false);
    vi.advanceTimersByTime(BACKLOG_REFRESH_MS);
    expect(await unbounded.full()).toBe(false);
    expect(logger.lines.filter((l) => l.message === 'backlog.unbounded')).toHaveLength(1);
  });

  it('defaults to 60,000 and refuses a bad browserBacklog or browserShare naming it', () => {
    expect(BROWSER_BACKLOG_DEFAULT).toBe(60_000);
    for (const browserBacklog of [0, -1, 1.5, Number.NaN]) {
      expect(() => setup({ browserBacklog })).toThrow(ConfigError);
      expect(() => setup({ browserBacklog })).toThrow(/browserBacklog/);
    }
    for (const browserShare of [0, -0.1, 1.01, Number.NaN]) {
      expect(() => setup({ browserShare })).toThrow(/browserShare/);
    }
    expect(() => setup({ browserShare: 1, autoStart: false })).not.toThrow();
  });
});
