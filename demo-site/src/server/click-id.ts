import { randomInt } from 'node:crypto';

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * A made-up click ID shaped like X's (26 lowercase base-36 characters, e.g.
 * `23opevjt88psuo13lu8d020qkn` in docs/x-api.md §1), for the "simulated ad click".
 */
export function newClickId(random: (max: number) => number = randomInt): string {
  let id = '';
  for (let i = 0; i < 26; i++) id += BASE36[random(36)];
  return id;
}
