/**
 * One rule for a twclid (`checkTwclid`), one written policy per flow for an
 * invalid one: the JSON event and /capture answer 400, sendConversion throws,
 * the form and landing flows drop it and use the click cookie.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { fakeX, memoryLogger } from '../../test/fakes.ts';
import { isValidationError } from '../errors.ts';
import { type TwclidEnv, twclidKit } from '../kit.ts';
import { memoryOutbox } from '../outbox-memory.ts';

const SITE = 'https://shop.example';
const T0 = Date.UTC(2026, 0, 1);
const CLICK = '23opevjt88psuo13lu8d020qkn';
const FROM_COOKIE = 'fromcookie0000000000000000';
const BAD = 'no spaces <>';
const cookie = `_twclid_kit=1.${T0}.${FROM_COOKIE}`;

function setup() {
  const store = memoryOutbox();
  const kit = twclidKit({
    pixelId: 'o8z6j',
    events: ['o87ne'],
    store,
    client: fakeX(),
    logger: memoryLogger(),
    getIp: () => '203.0.113.7',
    autoStart: false,
  });
  const app = new Hono<TwclidEnv>();
  app.route('/tw', kit);
  const storedTwclid = async () => {
    const [stored] = await store.claim({
      pixelId: 'o8z6j',
      account: 'o8z6j',
      limit: 1,
      now: Date.now(),
      leaseMs: 1,
    });
    return stored?.conversion.identifiers.find((i) => 'twclid' in i);
  };
  return { kit, app, storedTwclid };
}

const json = (body: unknown, extra: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', origin: SITE, cookie, ...extra },
  body: JSON.stringify(body),
});
const event = (twclid: unknown) => ({
  event_id: 'o87ne',
  conversion_id: 'order-1',
  email: 'test@twitter.com',
  twclid,
});

describe('twclid policy per flow', () => {
  it('JSON event: an invalid twclid is a 400 naming the field, nothing is stored', async () => {
    const { app, storedTwclid } = setup();
    const res = await app.request(`${SITE}/tw/events`, json(event(BAD)));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_field', field: 'twclid' } });
    expect(await storedTwclid()).toBeUndefined();
  });

  it('JSON event: a blank twclid is no click, and the cookie supplies it', async () => {
    const { app, storedTwclid } = setup();
    const res = await app.request(`${SITE}/tw/events`, json(event('  ')));
    expect(res.status).toBe(202);
    expect(await storedTwclid()).toEqual({ twclid: FROM_COOKIE });
  });

  it('JSON event: the twclid is stored trimmed', async () => {
    const { app, storedTwclid } = setup();
    await app.request(`${SITE}/tw/events`, json(event(` ${CLICK} `)));
    expect(await storedTwclid()).toEqual({ twclid: CLICK });
  });

  it('capture: an invalid twclid is a 400', async () => {
    const { app } = setup();
    const res = await app.request(`${SITE}/tw/capture`, json({ twclid: BAD }));
    expect(res.status).toBe(400);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('form: an invalid twclid field is dropped and the cookie supplies the click', async () => {
    const { kit, storedTwclid } = setup();
    const site = new Hono<TwclidEnv>();
    let seen: unknown;
    site.post('/signup', kit.form({ eventId: 'o87ne' }), (c) => {
      seen = c.get('conversion');
      return c.body(null, 204);
    });
    await site.request(`${SITE}/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: SITE, cookie },
      body: new URLSearchParams({ twclid: BAD, email: 'test@twitter.com' }).toString(),
    });
    expect(seen).toMatchObject({ status: 'queued' });
    expect(await storedTwclid()).toEqual({ twclid: FROM_COOKIE });
  });

  it('landing: an invalid ?twclid= is dropped and the cookie supplies the click', async () => {
    const { kit } = setup();
    const site = new Hono<TwclidEnv>();
    site.get('/', kit.landing(), (c) => c.text(c.get('twclid') ?? 'none'));
    const res = await site.request(`${SITE}/?twclid=${encodeURIComponent(BAD)}`, {
      headers: { cookie },
    });
    expect(await res.text()).toBe(FROM_COOKIE);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('sendConversion: an invalid twclid throws ValidationError naming the field', async () => {
    const { kit } = setup();
    const site = new Hono();
    let thrown: unknown;
    site.post('/paid', async (c) => {
      await kit
        .sendConversion(c, { eventId: 'o87ne', conversionId: 'o-1', twclid: BAD })
        .catch((error: unknown) => {
          thrown = error;
        });
      return c.body(null, 204);
    });
    await site.request(`${SITE}/paid`, { method: 'POST' });
    expect(isValidationError(thrown)).toBe(true);
    expect((thrown as { issues: unknown }).issues).toEqual([
      { field: 'twclid', message: 'may only contain letters, digits and - . _ ~' },
    ]);
  });
});
