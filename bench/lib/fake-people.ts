/**
 * Synthetic conversions with made-up but realistic personal data (emails on
 * the reserved `example.com` domain, valid-format US phone numbers), so the
 * benchmarks exercise the real normalization and hashing paths and the
 * hygiene checks can search stored files and logs for every raw value used.
 */
import type { Random } from './seeded-random.ts';

const FIRST = [
  'ada',
  'grace',
  'alan',
  'edsger',
  'barbara',
  'ken',
  'margaret',
  'linus',
  'radia',
  'tim',
];
const LAST = [
  'lovelace',
  'hopper',
  'turing',
  'dijkstra',
  'liskov',
  'thompson',
  'hamilton',
  'perlman',
];
// Area codes in service (NANPA); the exchange avoids N11 and 555 so every number is valid in
// libphonenumber's metadata, not a fictional 555-01xx number.
const AREA = ['201', '212', '305', '312', '415', '503', '617', '646', '702', '917'];
const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

export interface FakePerson {
  /** As a person would type it: mixed case, sometimes with surrounding spaces. */
  email: string;
  /** As typed: one of several national and international formats. */
  phone: string;
  /** The phone in E.164 (what the kit must hash, and never store raw). */
  phoneE164: string;
}

export function fakePerson(random: Random, n: number): FakePerson {
  const first = random.pick(FIRST);
  const last = random.pick(LAST);
  let email = `${first}.${last}${n}@example.com`;
  if (random.next() < 0.3) email = email[0]?.toUpperCase() + email.slice(1);
  if (random.next() < 0.1) email = ` ${email} `;
  const area = random.pick(AREA);
  let exchange = String(random.int(200, 999));
  if (exchange === '555' || exchange.endsWith('11')) exchange = '234';
  const line = String(random.int(0, 9999)).padStart(4, '0');
  const phoneE164 = `+1${area}${exchange}${line}`;
  const phone = random.pick([
    phoneE164,
    `+1 ${area} ${exchange} ${line}`,
    `(${area}) ${exchange}-${line}`,
    `${area}-${exchange}-${line}`,
  ]);
  return { email, phone, phoneE164 };
}

/** A click ID shaped like X's examples: 26 lowercase base-36 characters. */
export function fakeTwclid(random: Random): string {
  return random.string(26, BASE36);
}

/** Every spelling of a person's PII that must never appear in stored files or logs. */
export function piiNeedles(person: FakePerson): string[] {
  const email = person.email.trim();
  return [email, email.toLowerCase(), person.phone.trim(), person.phoneE164];
}
