/**
 * Valid JSON events for the route (the wire contract's `WireEvent`), as the
 * browser script posts them, with synthetic PII so every request exercises
 * normalization and hashing. Each event has its own `conversion_id`, so the
 * outbox's idempotency never turns a load test into a dedup test.
 */
import { createHash } from 'node:crypto';
import type { WireEvent } from '@twclid-kit/browser/contract';
import { type FakePerson, fakePerson, fakeTwclid } from './fake-people.ts';
import { type Random, seededRandom } from './seeded-random.ts';

/** The shop origin the kit servers allow and the load generators send as `Origin`. */
export const BENCH_ORIGIN = 'https://shop.example';

/** Headers of a browser's `fetch` of a JSON event from the shop's page. */
export const EVENT_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json',
  origin: BENCH_ORIGIN,
  'user-agent':
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36',
};

export interface GeneratedEvent {
  event: WireEvent;
  body: string;
  person: FakePerson;
}

export interface EventFactory {
  next(): GeneratedEvent;
  /** How many were made so far. */
  count(): number;
}

/**
 * The `n`th conversion ID of a run: a version 4 UUID (the only IDs the public
 * route takes unsigned, docs/product.md "Wire contract") made from
 * `<runId>-<n>`, so a run is reproducible and two runs never collide.
 */
function runConversionId(runId: string, n: number): string {
  const h = createHash('sha256').update(`${runId}-${n}`).digest('hex');
  const variant = '89ab'[Number.parseInt(h[16] as string, 16) & 3];
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * @param runId distinguishes runs (conversion IDs are made from `<runId>-<n>`),
 *   so a re-run against the same outbox or emulator never collides.
 */
export function eventFactory(
  options: { seed?: number; runId?: string; eventId?: string } = {},
): EventFactory {
  const random: Random = seededRandom(options.seed ?? 1);
  const runId = options.runId ?? `r${Date.now().toString(36)}`;
  let n = 0;
  return {
    next() {
      n++;
      const person = fakePerson(random, n);
      const event: WireEvent = {
        event_id: options.eventId ?? 'o87ne',
        conversion_id: runConversionId(runId, n),
        twclid: fakeTwclid(random),
        email: person.email,
        phone: person.phone,
        value: (random.int(100, 50_000) / 100).toFixed(2),
        currency: 'USD',
        number_items: random.int(1, 5),
        event_source_url: 'https://shop.example/checkout',
      };
      return { event, body: JSON.stringify(event), person };
    },
    count: () => n,
  };
}
