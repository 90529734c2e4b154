import { describe, expect, it } from 'vitest';
import { findNeedles } from './hygiene.ts';

describe('findNeedles', () => {
  const needles = new Set([
    'Ada.Lovelace1@example.com',
    '(917) 424-6128',
    '+16466611272',
    'emulator-consumer-secret',
  ]);

  it('finds emails in any case and phones in any typed format', () => {
    const text =
      '{"email":"ada.lovelace1@example.com"}\nphone 646-661-1272 and +1 917 424 6128; key=EMULATOR-CONSUMER-SECRET';
    expect(findNeedles(text, needles).sort()).toEqual([...needles].sort());
  });

  it('ignores SHA-256 digests and other people', () => {
    const text =
      '{"hashed_email":"d360d510a224510f373931ce2d6215a799f5a9c1cef221b0149b6b6b50cced62","hashed_phone_number":"9174246128aa16466611272f"} grace@example.com 212-555-0000';
    expect(findNeedles(text, needles)).toEqual([]);
  });
});
