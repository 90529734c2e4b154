import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newConversionId } from './conversion-id.ts';

// RFC 9562 §5.4: version nibble 4, variant bits 10.
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newConversionId', () => {
  it('uses crypto.randomUUID where it exists', () => {
    expect(newConversionId({ randomUUID: () => '00000000-0000-4000-8000-000000000000' })).toBe(
      '00000000-0000-4000-8000-000000000000',
    );
    expect(newConversionId()).toMatch(UUID_V4);
  });

  it('builds a v4 UUID from getRandomValues without randomUUID (insecure contexts)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 31, maxLength: 31 }),
        (bytes) => {
          let i = 0;
          const getRandomValues = <T extends ArrayBufferView | null>(array: T): T => {
            (array as unknown as Uint8Array)[0] = bytes[i++ % bytes.length] as number;
            return array;
          };
          expect(newConversionId({ getRandomValues })).toMatch(UUID_V4);
        },
      ),
    );
  });

  it('takes its bits from the random source', () => {
    const zeros = newConversionId({ getRandomValues: (a) => a });
    // Template digits are XORed with the random nibble: all-zero bits leave the template.
    expect(zeros).toBe('10000000-1000-4000-8000-100000000000');
    const ones = newConversionId({
      getRandomValues: (a) => {
        (a as unknown as Uint8Array).fill(255);
        return a;
      },
    });
    expect(ones).toBe('efffffff-efff-4fff-bfff-efffffffffff');
  });

  it('falls back to Math.random, and is never constant', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newConversionId({})));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(UUID_V4);
    const real = new Set(Array.from({ length: 1000 }, () => newConversionId(crypto)));
    expect(real.size).toBe(1000);
  });

  it('works with no crypto at all', () => {
    expect(newConversionId(undefined)).toMatch(UUID_V4);
  });
});
