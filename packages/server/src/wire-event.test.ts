import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inputFieldToWire, parseWireEvent } from './wire-event.ts';

describe('parseWireEvent', () => {
  it('maps the wire event to a ConversionInput, dropping unknown keys and nulls', () => {
    const parsed = parseWireEvent({
      event_id: 'o87ne',
      conversion_id: 'c1',
      email: 'a@b.co',
      value: '20.00',
      number_items: 2,
      contents: [{ content_id: 'sku-1', content_price: 10, num_items: 2 }],
      event_source_url: 'https://shop.example/',
      description: null,
      ip_address: '1.2.3.4',
      extra: { deep: true },
    });
    expect(parsed).toEqual({
      ok: true,
      optOut: false,
      input: {
        eventId: 'o87ne',
        conversionId: 'c1',
        email: 'a@b.co',
        value: '20.00',
        numberItems: 2,
        contents: [{ contentId: 'sku-1', contentPrice: 10, numItems: 2 }],
        eventSourceUrl: 'https://shop.example/',
      },
    });
  });

  it.each([
    [{ conversion_id: 'c' }, 'event_id', 'is required'],
    [{ event_id: 'o87ne', conversion_id: '' }, 'conversion_id', 'must not be empty'],
    // A blank ID would be stored without one: no deduplication, counted again on a replay.
    [{ event_id: 'o87ne', conversion_id: ' \t ' }, 'conversion_id', 'must not be blank'],
    [{ event_id: '  ', conversion_id: 'c' }, 'event_id', 'must not be blank'],
    [{ event_id: 'o87ne', conversion_id: 'c', email: ['a'] }, 'email', 'must be a string'],
    [
      { event_id: 'o87ne', conversion_id: 'c', value: true },
      'value',
      'must be a number or a numeric string',
    ],
    [{ event_id: 'o87ne', conversion_id: 'c', contents: {} }, 'contents', 'must be an array'],
    [
      { event_id: 'o87ne', conversion_id: 'c', contents: [{ num_items: 'x' }] },
      'contents[0].num_items',
      'must be a number',
    ],
    [{ event_id: 'o87ne', conversion_id: 'c', opt_out: 'yes' }, 'opt_out', 'must be a boolean'],
    [
      { event_id: 'o87ne', conversion_id: 'c', conversion_sig: 7 },
      'conversion_sig',
      'must be a string',
    ],
    [
      { event_id: 'o87ne', conversion_id: 'c', conversion_sig: 's'.repeat(65) },
      'conversion_sig',
      'must be at most 64 characters',
    ],
  ])('rejects %j naming %s', (body, field, message) => {
    const parsed = parseWireEvent(body);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.issues[0]).toEqual({ field, message });
  });

  it('property: any JSON value is parsed or rejected with named fields, never thrown', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const parsed = parseWireEvent(value);
        if (!parsed.ok) {
          expect(parsed.issues.length).toBeGreaterThan(0);
          for (const issue of parsed.issues)
            expect(issue.field).toMatch(/^[a-z_]+(\[\d+\])?(\.[a-z_]+)?$|^body$/);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reads conversion_sig beside the conversion, never into it', () => {
    const parsed = parseWireEvent({
      event_id: 'o87ne',
      conversion_id: 'order-1003',
      conversion_sig: 'VSxVNncSHBQWmhtnDYSNTnsz9eE8rxGQVPpzcc_tyVI',
    });
    expect(parsed).toEqual({
      ok: true,
      optOut: false,
      conversionSig: 'VSxVNncSHBQWmhtnDYSNTnsz9eE8rxGQVPpzcc_tyVI',
      input: { eventId: 'o87ne', conversionId: 'order-1003' },
    });
  });

  it('maps input field names back to wire names', () => {
    expect(inputFieldToWire('numberItems')).toBe('number_items');
    expect(inputFieldToWire('contents[2].contentPrice')).toBe('contents[2].content_price');
    expect(inputFieldToWire('email')).toBe('email');
  });
});
