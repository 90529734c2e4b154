import { describe, expect, it } from 'vitest';
import { buildConversion, buildConversionOrThrow, validateBatch } from './conversion.ts';
import { isValidationError } from './errors.ts';
import { MAX_CONVERSIONS_PER_REQUEST } from './x-limits.ts';
import type { CapiConversion, ConversionInput, ValidationIssue } from './x-types.ts';

const EMAIL_DIGEST = 'd360d510a224510f373931ce2d6215a799f5a9c1cef221b0149b6b6b50cced62';
const PHONE_DIGEST = '1fa6b8d986d9b9cd01bf36951815158bbde9f520c0567c835dfe34783d0a4231';
const UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0.0.0 Safari/537.36';
const now = () => Date.UTC(2024, 4, 1, 12, 0, 0, 0);

function issues(input: ConversionInput, options = {}): ValidationIssue[] {
  const result = buildConversion(input, { now, ...options });
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.issues;
}

function built(input: ConversionInput, options = {}): CapiConversion {
  const result = buildConversion(input, { now, ...options });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.conversion;
}

describe('buildConversion', () => {
  it('builds X’s example request body (web-conversions guide) from raw input', () => {
    // The guide's phone digest is of +11234567890, which libphonenumber
    // rightly calls invalid (no US area code starts with 1), so it is given
    // pre-hashed, the way an app that hashes itself would.
    expect(
      built(
        {
          conversionTime: '2022-02-18T01:14:00.603Z',
          eventId: 'ol288',
          twclid: '23opevjt88psuo13lu8d020qkn',
          email: ' Test@Twitter.com ',
          phone: PHONE_DIGEST,
          ip: '1.0.0.0',
          userAgent: UA,
          value: '20.00',
          numberItems: 3,
          conversionId: '23294827',
          description: 'Pet supply purchases',
          contents: [
            {
              contentId: '1',
              contentName: 'Blankets',
              contentType: 'Pet supplies',
              contentPrice: 100.99,
              numItems: 1,
              contentGroupId: 123,
            },
          ],
          // The kit's clock on the example's day: its time is within the 90-day window.
        },
        { now: () => Date.UTC(2022, 1, 18, 2) },
      ),
    ).toEqual({
      conversion_time: '2022-02-18T01:14:00.603Z',
      event_id: 'ol288',
      identifiers: [
        { twclid: '23opevjt88psuo13lu8d020qkn' },
        { hashed_email: EMAIL_DIGEST },
        { hashed_phone_number: PHONE_DIGEST },
        { ip_address: '1.0.0.0' },
        { user_agent: UA },
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
    });
  });

  it('hashes a raw phone after E.164 normalization with the default country', () => {
    const conversion = built(
      { eventId: 'o87ne', phone: '(415) 555-2671' },
      { defaultCountry: 'US' },
    );
    expect(conversion.identifiers).toEqual(
      built({ eventId: 'o87ne', phone: '+1 415 555 2671' }).identifiers,
    );
    expect(conversion.identifiers).toHaveLength(1);
    expect(JSON.stringify(conversion)).not.toContain('555');
  });

  it('never carries raw email or phone in the result', () => {
    const text = JSON.stringify(
      built({ eventId: 'o87ne', email: 'ann@example.com', phone: '+14155552671' }),
    );
    expect(text).not.toContain('ann@');
    expect(text).not.toContain('4155552671');
  });

  describe('conversion_time is exactly what toISOString() prints', () => {
    it.each([
      [undefined, '2024-05-01T12:00:00.000Z'],
      [new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), '2024-01-02T03:04:05.006Z'],
      [Date.UTC(2024, 0, 2), '2024-01-02T00:00:00.000Z'],
      ['2024-01-02T03:04:05Z', '2024-01-02T03:04:05.000Z'],
      ['2024-01-02T05:04:05.123+02:00', '2024-01-02T03:04:05.123Z'],
    ])('%j → %s', (time, expected) => {
      // A given time is checked against a clock on the next day (the 90-day window).
      const clock = time === undefined ? {} : { now: () => Date.UTC(2024, 0, 3) };
      expect(
        built({ eventId: 'o87ne', twclid: 'abc', conversionTime: time }, clock).conversion_time,
      ).toBe(expected);
    });

    it.each(['2024-01-02 03:04:05', '2024-01-02T03:04:05', 'yesterday', '2024-13-45T00:00:00Z'])(
      'rejects %j',
      (time) => {
        expect(issues({ eventId: 'o87ne', twclid: 'abc', conversionTime: time })[0]?.field).toBe(
          'conversionTime',
        );
      },
    );

    it('rejects an invalid Date', () => {
      expect(
        issues({ eventId: 'o87ne', twclid: 'abc', conversionTime: new Date(Number.NaN) }),
      ).toEqual([{ field: 'conversionTime', message: 'is not a valid date' }]);
    });
  });

  describe('identifiers (X: at least one; IP/UA only with a second)', () => {
    it('requires one', () => {
      expect(issues({ eventId: 'o87ne' })).toEqual([
        { field: 'identifiers', message: 'at least one of twclid, email or phone is required' },
      ]);
    });

    it('does not count empty strings ({"twclid": ""} does not count for X)', () => {
      expect(issues({ eventId: 'o87ne', twclid: '', email: '  ' })[0]?.field).toBe('identifiers');
    });

    it('refuses IP and user agent on their own, even together', () => {
      expect(issues({ eventId: 'o87ne', ip: '1.2.3.4', userAgent: UA })).toEqual([
        {
          field: 'identifiers',
          message: 'ip and userAgent can only be sent with a twclid, email or phone',
        },
      ]);
    });

    it('accepts IP and user agent beside a twclid', () => {
      expect(
        built({ eventId: 'o87ne', twclid: 'abc', ip: ' 1.2.3.4 ', userAgent: ` ${UA} ` })
          .identifiers,
      ).toEqual([{ twclid: 'abc' }, { ip_address: '1.2.3.4' }, { user_agent: UA }]);
    });

    it('leaves an IPv6 address out (X documents IPv4 only)', () => {
      expect(built({ eventId: 'o87ne', twclid: 'abc', ip: '2001:db8::1' }).identifiers).toEqual([
        { twclid: 'abc' },
      ]);
    });

    it('reports a bad identifier by its own field, not as "missing"', () => {
      expect(issues({ eventId: 'o87ne', email: 'not an email', phone: '12', ip: 'x' })).toEqual([
        { field: 'email', message: 'is not an email address' },
        { field: 'phone', message: expect.stringMatching(/country code/) },
        { field: 'ip', message: 'is not an IPv4 or IPv6 address' },
      ]);
    });

    it('passes an uppercase digest through lowercased', () => {
      expect(built({ eventId: 'o87ne', email: EMAIL_DIGEST.toUpperCase() }).identifiers).toEqual([
        { hashed_email: EMAIL_DIGEST },
      ]);
    });
  });

  describe('event ID', () => {
    it('keeps the tag form when its pixel is the one being sent to', () => {
      expect(built({ eventId: 'tw-o8z6j-o87ne', twclid: 'a' }, { pixelId: 'o8z6j' }).event_id).toBe(
        'tw-o8z6j-o87ne',
      );
    });

    it('rejects a tag of another pixel', () => {
      expect(issues({ eventId: 'tw-abc12-o87ne', twclid: 'a' }, { pixelId: 'o8z6j' })).toEqual([
        {
          field: 'eventId',
          message: 'names pixel "abc12" but the conversion is sent to pixel "o8z6j"',
        },
      ]);
    });

    it('rejects a malformed one', () => {
      expect(issues({ eventId: 'Purchase!', twclid: 'a' })[0]?.field).toBe('eventId');
    });
  });

  describe('value, currency, counts', () => {
    it('uppercases a known ISO 4217 code', () => {
      expect(built({ eventId: 'o87ne', twclid: 'a', value: 5, currency: 'eur' })).toMatchObject({
        value: '5',
        price_currency: 'EUR',
      });
    });

    it.each(['EURO', 'XYZ', '€'])('rejects currency %j', (currency) => {
      expect(issues({ eventId: 'o87ne', twclid: 'a', currency })).toEqual([
        { field: 'currency', message: 'must be an ISO 4217 currency code such as "USD"' },
      ]);
    });

    it.each([0, -1, 1.5, Number.NaN])('rejects numberItems %j', (numberItems) => {
      expect(issues({ eventId: 'o87ne', twclid: 'a', numberItems })).toEqual([
        { field: 'numberItems', message: 'must be a positive integer' },
      ]);
    });

    it('names nested fields by path', () => {
      expect(
        issues({
          eventId: 'o87ne',
          twclid: 'a',
          contents: [{ contentId: 'a' }, { numItems: 0, contentPrice: 'cheap' }],
        }),
      ).toEqual([{ field: 'contents[1].numItems', message: 'must be a positive integer' }]);
      expect(
        issues({ eventId: 'o87ne', twclid: 'a', contents: [{ contentPrice: 'cheap' }] }),
      ).toEqual([
        {
          field: 'contents[0].contentPrice',
          message: 'must be a plain decimal number such as "20.00"',
        },
      ]);
    });
  });

  it('URL-encodes event_source_url and refuses non-http(s) URLs', () => {
    expect(
      built(
        { eventId: 'o87ne', twclid: 'a', eventSourceUrl: 'https://shop.example/ä b?q=1' },
        { eventSourceUrlParams: ['q'] },
      ).event_source_url,
    ).toBe('https://shop.example/%C3%A4%20b?q=1');
    expect(
      issues({ eventId: 'o87ne', twclid: 'a', eventSourceUrl: 'javascript:alert(1)' }),
    ).toEqual([{ field: 'eventSourceUrl', message: 'must be an absolute http(s) URL' }]);
  });

  it('lists every problem at once, by field', () => {
    const all = issues({
      eventId: 'bad id',
      conversionTime: 'soon',
      value: 'ten',
      currency: 'ZZZ',
    });
    expect(all.map((issue) => issue.field)).toEqual([
      'eventId',
      'conversionTime',
      'identifiers',
      'value',
      'currency',
    ]);
  });

  it.each([
    [null, 'input', 'must be an object'],
    [{ twclid: 'a' }, 'eventId', 'is required (a string such as "o87ne")'],
    [{ eventId: 'o87ne', email: 42 }, 'email', 'must be a string'],
    [{ eventId: 'o87ne', value: true }, 'value', 'must be a number or a numeric string'],
    [{ eventId: 'o87ne', contents: {} }, 'contents', 'must be an array'],
    [{ eventId: 'o87ne', contents: [1] }, 'contents[0]', 'must be an object'],
  ])('rejects wrong types plainly: %j', (input, field, message) => {
    const result = buildConversion(input as unknown as ConversionInput);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues).toContainEqual({ field, message });
  });

  it('treats whitespace-only optional fields as absent', () => {
    expect(
      built({ eventId: 'o87ne', twclid: 'a', value: ' ', currency: '', conversionId: '  ' }),
    ).toEqual({
      conversion_time: '2024-05-01T12:00:00.000Z',
      event_id: 'o87ne',
      identifiers: [{ twclid: 'a' }],
    });
  });

  it('ignores unknown keys', () => {
    const input = { eventId: 'o87ne', twclid: 'a', extra: 'x' } as ConversionInput;
    expect(built(input)).not.toHaveProperty('extra');
  });
});

describe('buildConversionOrThrow', () => {
  it('throws a ValidationError carrying the issues', () => {
    let caught: unknown;
    try {
      buildConversionOrThrow({ eventId: 'o87ne' });
    } catch (error) {
      caught = error;
    }
    expect(isValidationError(caught)).toBe(true);
    expect(isValidationError(caught) && caught.issues[0]?.field).toBe('identifiers');
    expect((caught as Error).message).toContain('identifiers: at least one');
  });
});

describe('validateBatch', () => {
  const good = built({ eventId: 'o87ne', twclid: 'a' });

  it('accepts 1 and 500 conversions', () => {
    expect(validateBatch([good])).toEqual([]);
    expect(validateBatch(Array(MAX_CONVERSIONS_PER_REQUEST).fill(good))).toEqual([]);
  });

  it('rejects 0 and 501 conversions (X: "Conversion count limit is 500")', () => {
    expect(validateBatch([])[0]?.field).toBe('conversions');
    expect(validateBatch(Array(501).fill(good))[0]?.message).toMatch(/at most 500/);
  });

  it('checks the wire rules of each conversion', () => {
    const bad: CapiConversion = {
      conversion_time: '2024-05-01T12:00:00Z',
      event_id: 'tw-other-o87ne',
      identifiers: [{ hashed_email: 'abc' }, { ip_address: '1.2.3.4' }],
    };
    expect(validateBatch([good, bad], { pixelId: 'o8z6j' }).map((i) => i.field)).toEqual([
      'conversions[1].conversion_time',
      'conversions[1].event_id',
      'conversions[1].identifiers.hashed_email',
      'conversions[1].identifiers',
    ]);
  });
});
