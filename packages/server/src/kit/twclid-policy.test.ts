/**
 * One rule for a twclid (`checkTwclid`) and one policy for an invalid one in
 * every flow that makes a conversion: the conversion is invalid, named
 * `twclid`, nothing is stored, and the cookie never stands in for it. Each
 * flow answers that its own way: the JSON event and /capture with a 400,
 * `form()` with `status: 'invalid'` (the post goes on), sendConversion with a
 * ValidationError. A landing page makes no conversion: it sets no cookie.
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
  conversion_id: 'c0ffee00-0000-4000-8000-000000000001',
  email: 'test@twitter.com',
  twclid,
});

describe('one twclid policy in every flow', () => {
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

  const formSite = (kit: ReturnType<typeof setup>['kit'], before?: string) => {
    const site = new Hono<TwclidEnv>();
    const seen: { conversion?: unknown } = {};
    if (before !== undefined) {
      site.use('/signup', async (c, next) => {
        c.set('twclid', before);
        await next();
      });
    }
    site.post('/signup', kit.form({ eventId: 'o87ne' }), (c) => {
      seen.conversion = c.get('conversion');
      return c.body(null, 204);
    });
    const post = (fields: Record<string, string>) =>
      site.request(`${SITE}/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: SITE, cookie },
        body: new URLSearchParams(fields).toString(),
      });
    return { seen, post };
  };

  it('form: an invalid twclid field makes the conversion invalid; the post goes on', async () => {
    const { kit, storedTwclid } = setup();
    const { seen, post } = formSite(kit);
    const res = await post({ twclid: BAD, email: 'test@twitter.com' });
    expect(res.status).toBe(204);
    expect(seen.conversion).toEqual({
      status: 'invalid',
      issues: [{ field: 'twclid', message: 'may only contain letters, digits and - . _ ~' }],
    });
    expect(await storedTwclid()).toBeUndefined();
  });

  it('form: a blank twclid field is no click, and the cookie supplies it', async () => {
    const { kit, storedTwclid } = setup();
    const { seen, post } = formSite(kit);
    await post({ twclid: ' ', email: 'test@twitter.com' });
    expect(seen.conversion).toMatchObject({ status: 'queued' });
    expect(await storedTwclid()).toEqual({ twclid: FROM_COOKIE });
  });

  it('form: an invalid c.var.twclid set by the app is invalid too, not replaced by the cookie', async () => {
    const { kit, storedTwclid } = setup();
    const { seen, post } = formSite(kit, BAD);
    await post({ email: 'test@twitter.com' });
    expect(seen.conversion).toMatchObject({ status: 'invalid', issues: [{ field: 'twclid' }] });
    expect(await storedTwclid()).toBeUndefined();
  });

  it('JSON event: an invalid c.var.twclid set by the app is a 400 too', async () => {
    const { kit, storedTwclid } = setup();
    const site = new Hono<TwclidEnv>();
    site.use('/tw/*', async (c, next) => {
      c.set('twclid', BAD);
      await next();
    });
    site.route('/tw', kit);
    const res = await site.request(`${SITE}/tw/events`, json(event(undefined)));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_field', field: 'twclid' } });
    expect(await storedTwclid()).toBeUndefined();
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
