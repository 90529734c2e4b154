import { describe, expect, it } from 'vitest';
import { NOW_S, setup } from '../test/conversions-setup.ts';
import { BASE, CONVERSIONS_PATH, oauthHeader, validConversion } from '../test/helpers.ts';
import { EMULATOR_DEFAULTS as D } from './defaults.ts';

// X's example from the setup guide (shared/seeds/x-conversion-api-setup-guide.txt), on the demo pixel.
const GUIDE_EXAMPLE = {
  conversion_time: '2022-02-18T01:14:00.603Z',
  event_id: 'o87ne',
  identifiers: [
    { twclid: '23opevjt88psuo13lu8d020qkn' },
    { hashed_email: 'd360d510a224510f373931ce2d6215a799f5a9c1cef221b0149b6b6b50cced62' },
    { hashed_phone_number: '1fa6b8d986d9b9cd01bf36951815158bbde9f520c0567c835dfe34783d0a4231' },
    { ip_address: '1.0.0.0', user_agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)' },
  ],
  value: '20.00',
  number_items: 3,
  conversion_id: '23294827',
  description: 'Pet supply purchases',
  contents: [
    {
      content_id: '1',
      content_name: 'Blankets',
      content_type: 'Pet supplies',
      content_price: 100.99,
      num_items: 1,
      content_group_id: '123',
    },
  ],
};

describe('POST /:version/measurement/conversions/:pixel_id — success', () => {
  it("answers X's success shape for the setup guide's example", async () => {
    const { send, emu } = setup();
    const { res, json } = await send({ conversions: [GUIDE_EXAMPLE] });
    expect(res.status).toBe(200);
    expect(json).toEqual({
      request: { params: { account_id: D.accountId } },
      data: { conversions_processed: 1, debug_id: expect.stringMatching(/^[0-9a-f-]{36}$/) },
    });
    const [event] = emu.state.events();
    expect(event).toMatchObject({
      channel: 'capi',
      eventKey: 'o87ne',
      conversionId: '23294827',
      twclid: '23opevjt88psuo13lu8d020qkn',
      hashedEmail: GUIDE_EXAMPLE.identifiers[1]?.hashed_email,
      hashedPhoneNumber: GUIDE_EXAMPLE.identifiers[2]?.hashed_phone_number,
      ipAddress: '1.0.0.0',
      auth: { method: 'oauth', ok: true, userId: D.userId },
      validation: { ok: true, errors: [] },
      dedup: 'counted',
      debugId: json.data.debug_id,
    });
  });

  it('sends rate-limit headers, reset in epoch seconds', async () => {
    const { send } = setup();
    const { res } = await send({
      conversions: [validConversion(), validConversion({ conversion_id: 'b' })],
    });
    expect(res.headers.get('x-account-rate-limit-limit')).toBe('60000');
    expect(res.headers.get('x-account-rate-limit-remaining')).toBe('59998');
    expect(res.headers.get('x-account-rate-limit-reset')).toBe(String(NOW_S + 900));
    expect(res.headers.get('x-rate-limit-limit')).toBe('100000');
    expect(res.headers.get('x-rate-limit-remaining')).toBe('99999');
    expect(res.headers.get('x-rate-limit-reset')).toBe(String(NOW_S + 900));
  });

  it('accepts X-Pixel-Token instead of OAuth', async () => {
    const { emu } = setup();
    const res = await emu.app.request(`${BASE}${CONVERSIONS_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-pixel-token': D.pixelToken },
      body: JSON.stringify({ conversions: [validConversion()] }),
    });
    expect(res.status).toBe(200);
    expect(emu.state.events()[0]?.auth).toEqual({ method: 'pixel_token', ok: true });
  });

  it('accepts both event ID forms and any API version segment', async () => {
    const { send } = setup();
    const { res } = await send({
      conversions: [
        validConversion({ event_id: `tw-${D.pixelId}-o87nf` }),
        validConversion({ event_id: 'O87NG' }),
      ],
    });
    expect(res.status).toBe(200);
    const v11 = await send(
      { conversions: [validConversion()] },
      { url: `${BASE}/11/measurement/conversions/${D.pixelId}` },
    );
    expect(v11.res.status).toBe(200);
  });
});

describe('authentication', () => {
  const body = { conversions: [validConversion()] };

  it('rejects a changed parameter, a wrong secret, a stale timestamp and a reused nonce with 401', async () => {
    const { emu, send } = setup();
    const url = `${BASE}${CONVERSIONS_PATH}`;
    const changed = await emu.app.request(`${url}?extra=1`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: oauthHeader('POST', url, { timestamp: NOW_S }),
      },
      body: JSON.stringify(body),
    });
    expect(changed.status).toBe(401);
    expect(await changed.json()).toEqual({
      errors: [
        {
          code: 'UNAUTHORIZED_ACCESS',
          message: 'This request is not properly authenticated: invalid signature',
        },
      ],
      request: { params: { account_id: D.accountId } },
    });
    expect((await send(body, { consumerSecret: 'wrong' })).res.status).toBe(401);
    expect((await send(body, { tokenSecret: 'wrong' })).res.status).toBe(401);
    const stale = await send(body, { timestamp: NOW_S - 301 });
    expect(stale.res.status).toBe(401);
    expect(stale.json.errors[0].message).toContain('timestamp out of bounds');
    expect((await send(body, { nonce: 'once' })).res.status).toBe(200);
    const reused = await send(body, { nonce: 'once' });
    expect(reused.res.status).toBe(401);
    expect(reused.json.errors[0].message).toContain('nonce already used');
    expect(emu.state.stats()).toMatchObject({ authFailures: 5, counted: 1 });
    expect(emu.state.events({ limit: 1 })[0]?.auth).toEqual({
      method: 'oauth',
      ok: false,
      error: 'nonce already used',
    });
  });

  it('signs the URL as the client addressed it (Host header), not a fixed host', async () => {
    const { emu } = setup();
    const addressed = `http://emulator.test:9999${CONVERSIONS_PATH}`;
    const res = await emu.app.request(addressed, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: oauthHeader('POST', addressed, { timestamp: NOW_S }),
      },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
  });

  it('does not sign the JSON body: the same header verifies whatever the JSON says', async () => {
    const { send } = setup();
    expect((await send({ conversions: [validConversion({ value: 1 })] })).res.status).toBe(200);
  });

  it('answers 401 without credentials, 401 for an unknown pixel token and 403 for another pixel’s token', async () => {
    const { emu } = setup({
      accounts: [
        {
          id: 'acc1',
          pixels: [
            { id: 'p1', events: [{ id: 'e1' }] },
            { id: 'p2', events: [{ id: 'e2' }] },
          ],
        },
      ],
      pixelTokens: [{ token: 'tok-p2', pixelId: 'p2' }],
    });
    const post = (headers: Record<string, string>) =>
      emu.app.request(`${BASE}/12/measurement/conversions/p1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ conversions: [validConversion({ event_id: 'e1' })] }),
      });
    expect((await post({})).status).toBe(401);
    expect((await post({ 'x-pixel-token': 'nope' })).status).toBe(401);
    const other = await post({ 'x-pixel-token': 'tok-p2' });
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ errors: [{ code: 'UNAUTHORIZED_ACCESS' }] });
  });

  it('answers 403 for a user without AD_MANAGER or ACCOUNT_ADMIN on the account', async () => {
    const { send } = setup({
      users: [{ id: 'u1', screenName: 'analyst', access: { [D.accountId]: ['CAMPAIGN_ANALYST'] } }],
      tokens: [{ token: D.accessToken, secret: D.accessTokenSecret, userId: 'u1' }],
    });
    const { res, json } = await send(body);
    expect(res.status).toBe(403);
    expect(json.errors[0]).toMatchObject({
      code: 'UNAUTHORIZED_ACCESS',
      message: expect.stringContaining('u1'),
    });
  });

  it('answers 404 NOT_FOUND for an unknown pixel', async () => {
    const { send } = setup();
    const { res, json } = await send(body, { url: `${BASE}/12/measurement/conversions/zzzzz` });
    expect(res.status).toBe(404);
    expect(json).toEqual({
      errors: [{ code: 'NOT_FOUND', message: 'Pixel zzzzz not found', parameter: 'pixel_id' }],
      request: { params: { pixel_id: 'zzzzz' } },
    });
  });
});

describe('rate limit: 60,000 events per account per rolling 15 minutes (configurable)', () => {
  it('answers 429 past the budget, with Retry-After, and frees it as the window rolls', async () => {
    const { send, tick, emu } = setup({ eventsPerWindow: 3 });
    const two = {
      conversions: [
        validConversion({ conversion_id: 'a' }),
        validConversion({ conversion_id: 'b' }),
      ],
    };
    expect((await send(two)).res.status).toBe(200);
    tick(60_000);
    const over = await send(two);
    expect(over.res.status).toBe(429);
    expect(over.json.errors).toEqual([
      { code: 'TOO_MANY_REQUESTS', message: 'Rate limit exceeded' },
    ]);
    expect(over.res.headers.get('retry-after')).toBe('840');
    expect(over.res.headers.get('x-account-rate-limit-remaining')).toBe('1');
    expect(over.res.headers.get('x-account-rate-limit-reset')).toBe(String(NOW_S + 900));
    expect(emu.state.stats()).toMatchObject({ rateLimited: 1, counted: 2 });
    tick(840_000);
    expect((await send(two)).res.status).toBe(200);
  });

  it('uses X’s advanced time for the window but reports reset on the client’s clock', async () => {
    const { send, emu } = setup({ eventsPerWindow: 1 });
    emu.clock.advance(49 * 3_600_000);
    const { res } = await send({ conversions: [validConversion()] });
    expect(res.headers.get('x-account-rate-limit-reset')).toBe(String(NOW_S + 900));
  });
});

describe('bad input never crashes', () => {
  it('answers 4xx (never 5xx) to arbitrary JSON bodies and records nothing as counted (property)', async () => {
    const fc = (await import('fast-check')).default;
    const { send, emu } = setup();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          fc.record({ conversions: fc.array(fc.jsonValue(), { maxLength: 3 }) }),
          fc.record({
            conversions: fc.array(
              fc.record(
                {
                  conversion_time: fc.oneof(
                    fc.jsonValue(),
                    fc.constant('2026-11-28T10:00:00.000Z'),
                  ),
                  event_id: fc.oneof(fc.jsonValue(), fc.constant('o87ne')),
                  identifiers: fc.oneof(
                    fc.jsonValue(),
                    fc.array(
                      fc.dictionary(
                        fc.constantFrom('twclid', 'hashed_email', 'ip_address'),
                        fc.jsonValue(),
                      ),
                    ),
                  ),
                  value: fc.jsonValue(),
                  contents: fc.jsonValue(),
                },
                { requiredKeys: [] },
              ),
              { minLength: 1, maxLength: 3 },
            ),
          }),
        ),
        async (body) => {
          const before = emu.state.stats().counted;
          const { res } = await send(body);
          expect(res.status === 200 || (res.status >= 400 && res.status < 500)).toBe(true);
          if (res.status !== 200) expect(emu.state.stats().counted).toBe(before);
        },
      ),
      { numRuns: 200 },
    );
    // 200 signed requests: on a loaded 2-core machine this takes longer than the 5 s default.
  }, 30_000);

  it('ignores an oversized Pixel hit (still 204, nothing stored)', async () => {
    const { emu } = setup();
    const body = JSON.stringify({
      v: 1,
      type: 'config',
      pixel_id: D.pixelId,
      page_url: 'x'.repeat(20_000),
    });
    const res = await emu.app.request(`${BASE}/_pixel/collect`, { method: 'POST', body });
    expect(res.status).toBe(204);
    expect(emu.state.events()).toEqual([]);
    expect(emu.state.stats().requests.pixel).toBe(1);
  });

  it('answers 204 to any Pixel hit, whatever it holds', async () => {
    const fc = (await import('fast-check')).default;
    const { emu } = setup();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        async (text) => {
          const res = await emu.app.request(`${BASE}/_pixel/collect`, {
            method: 'POST',
            body: text,
          });
          expect(res.status).toBe(204);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('limits', () => {
  it('answers 413 to a body over maxBodyBytes', async () => {
    const { send } = setup({ maxBodyBytes: 1024 });
    const { res, json } = await send({
      conversions: [validConversion({ description: 'x'.repeat(2000) })],
    });
    expect(res.status).toBe(413);
    expect(json.errors[0]).toEqual({
      code: 'INVALID_REQUEST',
      message: 'Request body exceeds 1024 bytes',
    });
  });

  it('limits requests per user and endpoint (x-rate-limit-*) apart from the account’s events', async () => {
    const { send } = setup({ requestsPerWindow: 2 });
    const one = { conversions: [validConversion()] };
    expect((await send(one)).res.headers.get('x-rate-limit-remaining')).toBe('1');
    expect((await send(one)).res.status).toBe(200);
    const third = await send(one);
    expect(third.res.status).toBe(429);
    expect(third.res.headers.get('x-rate-limit-remaining')).toBe('0');
    expect(third.res.headers.get('x-account-rate-limit-remaining')).toBe('59998');
  });
});
