import { describe, expect, it } from 'vitest';
import { setup } from '../test/conversions-setup.ts';
import { validConversion } from '../test/helpers.ts';
import { EMULATOR_DEFAULTS as D } from './defaults.ts';

describe("X's rules (all-or-nothing, every error listed)", () => {
  const cases: Array<
    [string, Record<string, unknown>, { code: string; message: string; parameter: string }]
  > = [
    [
      'no identifier',
      { identifiers: [] },
      {
        code: 'INVALID_PARAMETER',
        message: 'At least one user identifier must be provided',
        parameter: 'identifiers',
      },
    ],
    [
      'only an empty twclid',
      { identifiers: [{ twclid: '' }] },
      {
        code: 'INVALID_PARAMETER',
        message: 'At least one user identifier must be provided',
        parameter: 'identifiers',
      },
    ],
    [
      'ip_address alone',
      { identifiers: [{ ip_address: '1.2.3.4' }] },
      {
        code: 'INVALID_PARAMETER',
        message: expect.stringContaining(
          'ip_address must be sent together with another identifier',
        ),
        parameter: 'ip_address',
      } as never,
    ],
    [
      'user_agent alone',
      { identifiers: [{ user_agent: 'UA' }] },
      {
        code: 'INVALID_PARAMETER',
        message: expect.stringContaining(
          'user_agent must be sent together with another identifier',
        ),
        parameter: 'user_agent',
      } as never,
    ],
    [
      'a bad email hash',
      { identifiers: [{ hashed_email: 'abc' }] },
      {
        code: 'INVALID_PARAMETER',
        message: 'hashed_email (abc) is not a valid SHA-256 hash',
        parameter: 'hashed_email',
      },
    ],
    [
      'a bad phone hash',
      { identifiers: [{ twclid: 'x' }, { hashed_phone_number: '+15551234567' }] },
      {
        code: 'INVALID_PARAMETER',
        message: 'hashed_phone_number (+15551234567) is not a valid SHA-256 hash',
        parameter: 'hashed_phone_number',
      },
    ],
    [
      'missing identifiers',
      { identifiers: undefined },
      { code: 'MISSING_PARAMETER', message: 'identifiers is required', parameter: 'identifiers' },
    ],
    [
      'an unknown identifier',
      { identifiers: [{ twclid: 'x', fbclid: 'y' }] },
      { code: 'INVALID_PARAMETER', message: 'Unknown identifier fbclid', parameter: 'identifiers' },
    ],
    [
      'a time without milliseconds',
      { conversion_time: '2026-11-28T10:00:00Z' },
      {
        code: 'INVALID_PARAMETER',
        message:
          'conversion_time (2026-11-28T10:00:00Z) must be an ISO 8601 time in the form YYYY-MM-DDTHH:mm:ss.sssZ',
        parameter: 'conversion_time',
      },
    ],
    [
      'a time without Z',
      { conversion_time: '2026-11-28T10:00:00.000' },
      {
        code: 'INVALID_PARAMETER',
        message: expect.stringContaining('YYYY-MM-DDTHH:mm:ss.sssZ'),
        parameter: 'conversion_time',
      } as never,
    ],
    [
      'a time with an offset',
      { conversion_time: '2026-11-28T10:00:00.000+01:00' },
      {
        code: 'INVALID_PARAMETER',
        message: expect.stringContaining('conversion_time'),
        parameter: 'conversion_time',
      } as never,
    ],
    [
      'an impossible date',
      { conversion_time: '2026-02-30T10:00:00.000Z' },
      {
        code: 'INVALID_PARAMETER',
        message: expect.stringContaining('2026-02-30'),
        parameter: 'conversion_time',
      } as never,
    ],
    [
      'a missing time',
      { conversion_time: undefined },
      {
        code: 'MISSING_PARAMETER',
        message: 'conversion_time is required',
        parameter: 'conversion_time',
      },
    ],
    [
      'a missing event',
      { event_id: undefined },
      { code: 'MISSING_PARAMETER', message: 'event_id is required', parameter: 'event_id' },
    ],
    [
      'a malformed event',
      { event_id: 'tw-o8z6j' },
      {
        code: 'INVALID_PARAMETER',
        message: 'event_id (tw-o8z6j) must be a base-36 event ID or tw-<pixel_id>-<event_id>',
        parameter: 'event_id',
      },
    ],
    [
      'a bad currency',
      { price_currency: 'XYZ' },
      {
        code: 'INVALID_PARAMETER',
        message: 'price_currency (XYZ) is not a valid ISO 4217 currency code',
        parameter: 'price_currency',
      },
    ],
    [
      'a lowercase currency',
      { price_currency: 'usd' },
      {
        code: 'INVALID_PARAMETER',
        message: 'price_currency (usd) is not a valid ISO 4217 currency code',
        parameter: 'price_currency',
      },
    ],
    [
      'zero number_items',
      { number_items: 0 },
      {
        code: 'INVALID_PARAMETER',
        message: 'number_items must be a positive integer',
        parameter: 'number_items',
      },
    ],
    [
      'fractional number_items',
      { number_items: 1.5 },
      {
        code: 'INVALID_PARAMETER',
        message: 'number_items must be a positive integer',
        parameter: 'number_items',
      },
    ],
    [
      'a non-numeric value',
      { value: 'ten' },
      { code: 'INVALID_PARAMETER', message: 'value must be a number', parameter: 'value' },
    ],
    [
      'a bad content num_items',
      { contents: [{ content_id: 'a', num_items: -1 }] },
      {
        code: 'INVALID_PARAMETER',
        message: 'contents[0].num_items must be a positive integer',
        parameter: 'num_items',
      },
    ],
    [
      'a numeric conversion_id',
      { conversion_id: 42 },
      {
        code: 'INVALID_PARAMETER',
        message: 'conversion_id must be a non-empty string',
        parameter: 'conversion_id',
      },
    ],
  ];

  for (const [name, overrides, error] of cases) {
    it(`rejects ${name} with 400`, async () => {
      const { send, emu } = setup();
      const conversion = validConversion(overrides);
      for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete conversion[k];
      const { res, json } = await send({
        conversions: [validConversion({ conversion_id: 'good' }), conversion],
      });
      expect(res.status).toBe(400);
      expect(json).toEqual({ errors: [error], request: { params: { account_id: D.accountId } } });
      // All or nothing: the good conversion in the same request is not counted either.
      expect(emu.state.stats()).toMatchObject({
        counted: 0,
        rejected: { capi: 2 },
        accepted: { capi: 0 },
      });
    });
  }

  it('accepts ip_address with user_agent (each counts as the other’s second identifier)', async () => {
    const { send } = setup();
    const { res } = await send({
      conversions: [
        validConversion({ identifiers: [{ ip_address: '1.2.3.4', user_agent: 'UA' }] }),
      ],
    });
    expect(res.status).toBe(200);
  });

  it('lists every error of every conversion in one response', async () => {
    const { send } = setup();
    const { json } = await send({
      conversions: [
        validConversion({ identifiers: [] }),
        validConversion({ number_items: -2, price_currency: 'ABC' }),
      ],
    });
    expect(json.errors.map((e: { parameter: string }) => e.parameter)).toEqual([
      'identifiers',
      'price_currency',
      'number_items',
    ]);
  });

  it('rejects more than 500 conversions: "Conversion count limit is 500"', async () => {
    const { send } = setup();
    const conversions = Array.from({ length: 501 }, (_, i) =>
      validConversion({ conversion_id: `c${i}` }),
    );
    const { res, json } = await send({ conversions });
    expect(res.status).toBe(400);
    expect(json.errors).toEqual([
      {
        code: 'INVALID_PARAMETER',
        message: 'Conversion count limit is 500',
        parameter: 'conversions',
      },
    ]);
    const ok = await send({ conversions: conversions.slice(0, 500) });
    expect(ok.res.status).toBe(200);
    expect(ok.json.data.conversions_processed).toBe(500);
  });

  it('rejects an empty list, a missing list and a body that is not JSON', async () => {
    const { send } = setup();
    expect((await send({ conversions: [] })).json.errors[0]).toMatchObject({
      code: 'INVALID_PARAMETER',
      parameter: 'conversions',
    });
    expect((await send({})).json.errors[0]).toMatchObject({
      code: 'MISSING_PARAMETER',
      parameter: 'conversions',
    });
    const notJson = await send('{"conversions": [');
    expect(notJson.res.status).toBe(400);
    expect(notJson.json.errors[0]).toMatchObject({
      code: 'INVALID_PARAMETER',
      message: 'Request body must be valid JSON',
    });
  });

  it('answers 404 WEB_EVENT_TAG_NOT_FOUND for an event that is not this pixel’s (default)', async () => {
    const { send } = setup();
    const { res, json } = await send({ conversions: [validConversion({ event_id: 'zzzzz' })] });
    expect(res.status).toBe(404);
    expect(json.errors).toEqual([
      {
        code: 'WEB_EVENT_TAG_NOT_FOUND',
        message: 'Web event tag zzzzz not found for pixel o8z6j',
        parameter: 'event_id',
      },
    ]);
    const otherPixel = await send({
      conversions: [validConversion({ event_id: 'tw-abcde-o87ne' })],
    });
    expect(otherPixel.res.status).toBe(404);
  });

  it('says "event_id does not belong to provided account" for another account’s event, and can answer 400', async () => {
    const { send } = setup({
      unknownEventStatus: 400,
      accounts: [
        { id: D.accountId, pixels: [{ id: D.pixelId, events: [{ id: 'o87ne' }] }] },
        { id: 'other', pixels: [{ id: 'p9', events: [{ id: 'e9' }] }] },
      ],
    });
    const { res, json } = await send({ conversions: [validConversion({ event_id: 'e9' })] });
    expect(res.status).toBe(400);
    expect(json.errors[0]).toEqual({
      code: 'WEB_EVENT_TAG_NOT_FOUND',
      message: 'event_id does not belong to provided account',
      parameter: 'event_id',
    });
  });

  it('never stores a raw value echoed by a hash error', async () => {
    const { send, emu } = setup();
    const { json } = await send({
      conversions: [validConversion({ identifiers: [{ hashed_email: 'jane@example.com' }] })],
    });
    expect(json.errors[0].message).toBe(
      'hashed_email (jane@example.com) is not a valid SHA-256 hash',
    );
    expect(JSON.stringify(emu.state.events())).not.toContain('jane@example.com');
  });
});
