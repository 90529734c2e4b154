import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeX } from '../../test/fakes.ts';
import { EMAIL_HASH, event, post, SITE, setup, T0, TWCLID } from '../../test/kit-fixtures.ts';
import { ValidationError } from '../errors.ts';
import type { XClient } from '../x-types.ts';
import type { SendConversionInput } from './types.ts';

const ID = '6f1c2a34-6d5e-4f70-9a1b-2c3d4e5f6a7b';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('kit.sendConversion from plain JavaScript', () => {
  // What an untyped caller can pass: each is a ValidationError naming the field.
  async function sendWith(input: unknown) {
    const { kit, store } = setup();
    const app = new Hono();
    let thrown: unknown;
    app.post('/pay', async (c) => {
      try {
        await kit.sendConversion(c, input as SendConversionInput);
      } catch (error) {
        thrown = error;
      }
      return c.text('ok');
    });
    await app.request('https://shop.example/pay', { method: 'POST' });
    return { thrown, stats: await store.stats(0) };
  }

  it.each([
    ['a missing eventId', { email: 'ann@example.com' }, 'eventId'],
    ['a numeric eventId', { eventId: 42, email: 'ann@example.com' }, 'eventId'],
    ['no input at all', undefined, 'input'],
    ['null', null, 'input'],
  ])('%s', async (_name, input, field) => {
    const { thrown, stats } = await sendWith(input);
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).issues.map((i) => i.field)).toEqual([field]);
    expect(stats.pending).toBe(0);
  });
});

describe('kit.sendConversion and the browser copies of the same conversion', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** An app route that sends `input` as flow C. */
  function payRoute(kit: ReturnType<typeof setup>['kit'], input: SendConversionInput) {
    const app = new Hono();
    app.post('/pay', async (c) => c.json(await kit.sendConversion(c, input)));
    return app.request(`${SITE}/pay`, { method: 'POST' });
  }

  it("wins over a pending browser post with its conversion_id: X receives the server's copy", async () => {
    const { app, kit, x } = setup();
    // Someone who learnt the visitor's ID posts junk under it first.
    const junk = await post(
      app,
      '/tw/events',
      event({ conversion_id: ID, email: 'junk@example.com', value: '0.01', twclid: undefined }),
    );
    expect(junk.status).toBe(202);
    const paid = await payRoute(kit, {
      eventId: 'o87ne',
      conversionId: ID,
      twclid: TWCLID,
      email: 'test@twitter.com',
      value: 500,
      currency: 'USD',
    });
    expect(await paid.json()).toMatchObject({ status: 'queued', duplicate: false });
    await vi.advanceTimersByTimeAsync(1000);
    expect(x.accepted).toHaveLength(1);
    expect(x.accepted[0]).toMatchObject({ conversion_id: ID, value: '500' });
    expect(x.accepted[0]?.identifiers).toContainEqual({ hashed_email: EMAIL_HASH });
  });
});

describe('a conversion without conversion_id', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gets a random ID once, kept in the row: a copy re-sent after a lost answer carries it', async () => {
    const x = fakeX();
    let lost = 1;
    // X receives the first batch, but its answer never arrives (a timeout).
    const client: XClient = {
      async send(pixelId, conversions) {
        const outcome = await x.send(pixelId, conversions);
        if (lost-- > 0) return { ok: false, kind: 'timeout', message: 'answer lost' };
        return outcome;
      },
    };
    const { kit, logger } = setup({ client });
    const app = new Hono();
    app.post('/pay', async (c) =>
      c.json(await kit.sendConversion(c, { eventId: 'o87ne', twclid: TWCLID, value: 5 })),
    );
    const pay = async () =>
      (await (await app.request(`${SITE}/pay`, { method: 'POST' })).json()) as {
        conversionId: string;
      };
    const first = await pay();
    const second = await pay();
    expect(first.conversionId).toMatch(UUID_V4);
    expect(second.conversionId).toMatch(UUID_V4);
    // Two conversions are two IDs: neither is taken for a duplicate of the other.
    expect(second.conversionId).not.toBe(first.conversionId);

    await vi.advanceTimersByTimeAsync(10_000);
    const sent = x.calls.flatMap((call) => call.conversions.map((c) => c.conversion_id));
    expect(sent).toEqual([
      first.conversionId,
      second.conversionId,
      first.conversionId,
      second.conversionId,
    ]);
    // Said once per kit, not per conversion.
    const warnings = logger.lines.filter((l) => l.message === 'conversion.no_conversion_id');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.level).toBe('warn');
  });
});
