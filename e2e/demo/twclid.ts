import { randomBytes } from 'node:crypto';

/** A click ID shaped like X's (26 lowercase base-36 characters), unique per call. */
export function newTwclid(): string {
  let id = '';
  for (const byte of randomBytes(26)) id += (byte % 36).toString(36);
  return id;
}
