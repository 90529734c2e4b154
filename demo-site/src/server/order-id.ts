import { randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A short, readable order reference for the thank-you page (`LUM-7KQ2XW`). */
export function newOrderId(random: (max: number) => number = randomInt): string {
  let id = 'LUM-';
  for (let i = 0; i < 6; i++) id += ALPHABET[random(ALPHABET.length)];
  return id;
}
