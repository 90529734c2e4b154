import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONTENT_FIELDS,
  CONVERSION_FIELDS,
  decodeClick,
  decodePixelClick,
  encodeClick,
  eventTag,
  parseEventId,
  TWCLID_PATTERN,
  type WireEvent,
} from './contract.ts';

describe('click cookie format', () => {
  it('round-trips any valid click', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(TWCLID_PATTERN),
        fc.integer({ min: 0, max: 8.64e15 }),
        (twclid, clickedAt) => {
          expect(decodeClick(encodeClick({ twclid, clickedAt }))).toEqual({ twclid, clickedAt });
        },
      ),
    );
  });

  it('accepts exactly the IDs TWCLID_PATTERN accepts', () => {
    // decodeClick spells the ID rule out in its own regex: keep the two in step.
    fc.assert(
      fc.property(
        fc.oneof(
          fc.stringMatching(TWCLID_PATTERN),
          fc.string({ maxLength: 300, unit: 'binary' }),
          fc.string({ minLength: 250, maxLength: 260, unit: fc.constantFrom('a', '.', '~') }),
        ),
        (id) => {
          expect(decodeClick(`1.5.${id}`) !== undefined).toBe(TWCLID_PATTERN.test(id));
        },
      ),
    );
  });

  it('decodes X-style IDs and keeps dots inside the ID', () => {
    expect(decodeClick('1.1700000000000.23opevjt88psuo13lu8d020qkn')).toEqual({
      twclid: '23opevjt88psuo13lu8d020qkn',
      clickedAt: 1700000000000,
    });
    expect(decodeClick('1.5.a.b')).toEqual({ twclid: 'a.b', clickedAt: 5 });
  });

  it.each([
    '',
    null,
    undefined,
    '23opevjt88psuo13lu8d020qkn',
    '2.5.abc',
    '1.x.abc',
    '1.5.',
    '1.5.a b',
    `1.5.${'a'.repeat(257)}`,
  ])('rejects %j', (value) => {
    expect(decodeClick(value)).toBeUndefined();
  });
});

describe('the Pixel cookie', () => {
  it('reads the plain ID and the JSON form with its timestamp', () => {
    expect(decodePixelClick('23opevjt88psuo13lu8d020qkn')).toEqual({
      twclid: '23opevjt88psuo13lu8d020qkn',
      clickedAt: 0,
    });
    expect(decodePixelClick('{"twclid":"abc","timestamp":1700000000000}')).toEqual({
      twclid: 'abc',
      clickedAt: 1700000000000,
    });
  });

  it.each(['', null, undefined, '{', '{"twclid":5}', '{"x":"abc"}', 'a b', '{"twclid":"a b"}'])(
    'rejects %j',
    (value) => {
      expect(decodePixelClick(value)).toBeUndefined();
    },
  );

  it('property: never throws, and what it returns matches TWCLID_PATTERN', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.stringMatching(TWCLID_PATTERN)), (value) => {
        const click = decodePixelClick(value);
        if (click) expect(TWCLID_PATTERN.test(click.twclid)).toBe(true);
      }),
    );
  });
});

describe('event IDs', () => {
  it('reads both forms, and the tag form names its pixel', () => {
    expect(parseEventId('o87ne')).toEqual({ ok: true, eventId: 'o87ne' });
    expect(parseEventId('tw-o8z6j-o87ne')).toEqual({
      ok: true,
      pixelId: 'o8z6j',
      eventId: 'o87ne',
    });
    expect(parseEventId('tw-o8z6j-').ok).toBe(false);
  });

  it('property: eventTag of a short ID parses back to the same pixel and event', () => {
    const id = fc.stringMatching(/^[a-z0-9]{1,32}$/);
    fc.assert(
      fc.property(id, id, (pixelId, eventId) => {
        const tag = eventTag(pixelId, eventId);
        expect(parseEventId(tag)).toEqual({ ok: true, pixelId, eventId });
        expect(eventTag(pixelId, tag)).toBe(tag);
      }),
    );
  });
});

describe('the field table', () => {
  it('names each field once, on the wire and in the input', () => {
    for (const table of [CONVERSION_FIELDS, CONTENT_FIELDS]) {
      const inputs = Object.values(table).map((spec) => spec.input);
      expect(new Set(inputs).size).toBe(inputs.length);
      for (const wire of Object.keys(table)) expect(wire).toMatch(/^[a-z]+(_[a-z]+)*$/);
    }
  });

  it('WireEvent follows the table: opt_out and conversion_sig are declared, IP and user agent are not', () => {
    const event: WireEvent = { event_id: 'o87ne', conversion_id: 'c', opt_out: true };
    const signed: WireEvent = { event_id: 'o87ne', conversion_id: 'order-42', conversion_sig: 's' };
    // @ts-expect-error the server takes the IP from the request, never from the body
    const withIp: WireEvent = { event_id: 'o87ne', conversion_id: 'c', ip_address: '1.2.3.4' };
    expect([event, signed, withIp].length).toBe(3);
  });
});
