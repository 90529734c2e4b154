/**
 * The public events route's conversion IDs (docs/product.md, "Safety (the
 * server)", Trust): a predictable ID needs the server's signature, and what
 * the route stores is a browser copy.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { event, post, setup, T0 } from '../../test/kit-fixtures.ts';
import { ConfigError } from '../errors.ts';

describe("the public route's conversion IDs (docs/product.md, Safety: Trust)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const SECRET = 'kit-test-secret-0123456789abcdefghij';
  const stored = async (store: ReturnType<typeof setup>['store']) =>
    store.claim({ pixelId: 'o8z6j', account: 'o8z6j', limit: 10, now: Date.now(), leaseMs: 1 });

  it("refuses a predictable conversion_id (an order number) without the server's signature: 400 naming it", async () => {
    const { app, store, kit } = setup({ signingSecret: SECRET });
    const other = setup({ signingSecret: `${SECRET}-other` }).kit;
    for (const sig of [
      undefined,
      'not-a-signature',
      kit.signConversionId('order-1004'),
      other.signConversionId('order-1003'),
    ]) {
      const res = await post(
        app,
        '/tw/events',
        event({ conversion_id: 'order-1003', conversion_sig: sig, value: '0.01' }),
      );
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { field: string; message: string } };
      expect(body.error.field).toBe('conversion_id');
      expect(body.error.message).toMatch(/random UUID/);
      expect(body.error.message).toMatch(/kit\.signConversionId\(\)/);
    }
    expect((await store.stats(Date.now())).pending).toBe(0);
  });

  it('refuses every non-UUID conversion_id when the kit has no signing secret', async () => {
    const { app } = setup();
    const signed = setup({ signingSecret: SECRET }).kit.signConversionId('order-1003');
    const res = await post(
      app,
      '/tw/events',
      event({ conversion_id: 'order-1003', conversion_sig: signed }),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { field: 'conversion_id' } });
  });

  it("accepts the app's own ID with its signature, stores it as a browser copy and never sends the signature", async () => {
    const { app, store, kit, x } = setup({ signingSecret: SECRET });
    const sig = kit.signConversionId('order-1003');
    const res = await post(
      app,
      '/tw/events',
      event({ conversion_id: 'order-1003', conversion_sig: sig }),
    );
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ conversion_id: 'order-1003' });
    const [row] = await stored(store);
    expect(row?.origin).toBe('browser');
    expect(JSON.stringify(row)).not.toContain(sig);
    await vi.advanceTimersByTimeAsync(61_000);
    expect(x.accepted.map((c) => c.conversion_id)).toEqual(['order-1003']);
    expect(JSON.stringify(x.calls)).not.toContain(sig);
  });

  it('kit.signConversionId() needs signingSecret; a short secret fails at start-up naming it', () => {
    const { kit } = setup();
    expect(() => kit.signConversionId('order-1003')).toThrow(ConfigError);
    expect(() => kit.signConversionId('order-1003')).toThrow(/^signingSecret: /);
    expect(() => setup({ signingSecret: 'too-short' })).toThrow(/^signingSecret: .*32/);
  });
});
