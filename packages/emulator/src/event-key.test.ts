import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conversionKey, parseEventId } from './event-key.ts';

describe('parseEventId', () => {
  it('reads both documented forms to the same event', () => {
    expect(parseEventId('o87ne')).toEqual({ pixelId: undefined, eventId: 'o87ne' });
    expect(parseEventId('tw-o8z6j-o87ne')).toEqual({ pixelId: 'o8z6j', eventId: 'o87ne' });
    expect(parseEventId(' TW-O8Z6J-O87NE ')).toEqual({ pixelId: 'o8z6j', eventId: 'o87ne' });
  });

  it('rejects anything else', () => {
    for (const bad of ['', 'tw-o8z6j', 'tw--o87ne', 'o87ne!', 'tw-o8z6j-o87ne-x', 'ev ent']) {
      expect(parseEventId(bad)).toBeUndefined();
    }
  });

  it('maps tag and short form to one dedup key (property)', () => {
    const id = fc.stringMatching(/^[0-9a-z]{1,10}$/);
    fc.assert(
      fc.property(id, id, (pixel, event) => {
        const tag = parseEventId(`tw-${pixel}-${event}`);
        const short = parseEventId(event);
        expect(tag?.eventId).toBe(short?.eventId);
        expect(conversionKey(pixel, tag?.eventId as string, 'c')).toBe(
          conversionKey(pixel, event, 'c'),
        );
      }),
    );
  });
});
