import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalHeader,
  HEADER_ALIASES,
  jsonRowFields,
  mapHeader,
  parseTime,
  rowToInput,
  UPLOAD_FIELDS,
} from './columns.ts';
import { UsageError } from './exit-codes.ts';

/** Random spellings of a header: case, surrounding space, spaces/hyphens for underscores. */
const spelling = (alias: string) =>
  fc
    .tuple(
      fc.array(fc.boolean(), { minLength: alias.length, maxLength: alias.length }),
      fc.constantFrom('_', ' ', '-'),
      fc.constantFrom('', ' ', '  '),
    )
    .map(([upper, separator, pad]) => {
      const cased = [...alias].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('');
      return `${pad}${cased.replaceAll('_', separator)}${pad}`;
    });

describe('header aliases', () => {
  it('every documented alias maps to its field, however it is spelled', () => {
    const pairs = UPLOAD_FIELDS.flatMap((field) =>
      HEADER_ALIASES[field].map((a) => [field, a] as const),
    );
    fc.assert(
      fc.property(
        fc
          .constantFrom(...pairs)
          .chain(([field, alias]) => spelling(alias).map((s) => [field, s] as const)),
        ([field, header]) => {
          expect(mapHeader(['unrelated', header]).fields[field]).toBe(1);
        },
      ),
    );
  });

  it('canonicalHeader is idempotent', () => {
    fc.assert(
      fc.property(fc.string(), (header) => {
        expect(canonicalHeader(canonicalHeader(header))).toBe(canonicalHeader(header));
      }),
    );
  });

  it('refuses two columns for one field and reports unknown ones', () => {
    expect(() => mapHeader(['email', 'Email Address'])).toThrow(UsageError);
    expect(mapHeader(['email', 'notes', '']).ignored).toEqual(['notes']);
    expect(mapHeader(['\uFEFFEmail']).fields.email).toBe(0);
  });

  it('JSON keys use the same aliases; a conflict is a row error', () => {
    expect(jsonRowFields({ click_id: 'c', order_id: 'o', extra: 1 })).toEqual({
      row: { twclid: 'c', conversion_id: 'o' },
      ignored: ['extra'],
    });
    expect(jsonRowFields({ email: 'a@b.c', email_address: 'd@e.f' }).conflict).toBe(
      'keys "email" and "email_address" both mean email',
    );
  });
});

describe('rowToInput', () => {
  it('maps cells to the core input without touching identifier values', () => {
    expect(
      rowToInput(
        {
          email: ' Ann@Example.com ',
          phone: '(415) 555-2671',
          ip_address: '203.0.113.9',
          user_agent: 'UA',
          conversion_time: '2026-11-28T10:00:00Z',
          value: ' 20.00 ',
          number_items: '3',
          contents: '[{"content_id":"sku1","num_items":2}]',
        },
        { eventId: 'o87ne' },
      ),
    ).toEqual({
      ok: true,
      input: {
        eventId: 'o87ne',
        email: ' Ann@Example.com ',
        phone: '(415) 555-2671',
        ip: '203.0.113.9',
        userAgent: 'UA',
        conversionTime: '2026-11-28T10:00:00Z',
        value: '20.00',
        numberItems: 3,
        contents: [{ contentId: 'sku1', numItems: 2 }],
      },
    });
  });

  it('names the missing event and time, and unreadable cells', () => {
    const result = rowToInput({ email: 'a@b.c', number_items: 'three', contents: '{' }, {});
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues.map((i) => i.field)).toEqual([
      'event_id',
      'conversion_time',
      'number_items',
      'contents',
    ]);
  });
});

describe('parseTime', () => {
  it('reads Unix seconds and milliseconds, passes text through', () => {
    expect(parseTime('1764324000')).toBe(1_764_324_000_000);
    expect(parseTime('1764324000123')).toBe(1_764_324_000_123);
    expect(parseTime(' 2026-11-28T10:00:00Z ')).toBe('2026-11-28T10:00:00Z');
  });

  it('seconds and milliseconds of one instant agree', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000_000_000, max: 9_999_999_999 }), (seconds) => {
        expect(parseTime(String(seconds))).toBe(parseTime(String(seconds * 1000)));
      }),
    );
  });
});
