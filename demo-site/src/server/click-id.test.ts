import { TWCLID_PATTERN } from '@twclid-kit/browser/contract';
import { describe, expect, it } from 'vitest';
import { newClickId } from './click-id.ts';

describe('newClickId', () => {
  it('is 26 lowercase base-36 characters, like the click IDs in X examples', () => {
    const id = newClickId();
    expect(id).toMatch(/^[0-9a-z]{26}$/);
    expect(TWCLID_PATTERN.test(id)).toBe(true);
  });

  it('is fresh on every call', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newClickId()));
    expect(ids.size).toBe(200);
  });

  it('draws every character from the injected randomness', () => {
    expect(newClickId(() => 35)).toBe('z'.repeat(26));
  });
});
