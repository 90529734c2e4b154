import { describe, expect, it } from 'vitest';
import { isPixelId, parseEventId } from './event-id.ts';

describe('parseEventId', () => {
  it('reads the short form', () => {
    expect(parseEventId('o87ne')).toEqual({ ok: true, eventId: 'o87ne' });
  });

  it('reads the tw-<pixel>-<event> tag form (X reference: both accepted)', () => {
    expect(parseEventId(' tw-o8z6j-o87ne ')).toEqual({
      ok: true,
      pixelId: 'o8z6j',
      eventId: 'o87ne',
    });
  });

  it.each(['', 'tw-o8z6j', 'tw--o87ne', 'tw-o8z6j-o87ne-x', 'O87NE', 'o87 ne', 'a'.repeat(33)])(
    'rejects %j with a reason naming both forms',
    (raw) => {
      const result = parseEventId(raw);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.reason).toMatch(/tw-<pixel_id>-<event_id>/);
    },
  );
});

describe('isPixelId', () => {
  it.each([
    ['o8z6j', true],
    ['tw-o8z6j-o87ne', false],
    ['O8Z6J', false],
    ['', false],
  ])('%j → %s', (raw, expected) => {
    expect(isPixelId(raw)).toBe(expected);
  });
});
