/**
 * Generated malformed requests for the route (fast-check arbitraries): wrong
 * types, missing fields, non-object and broken JSON, huge and deeply nested
 * JSON, invalid UTF-8, prototype-pollution keys hiding the required fields,
 * oversized bodies (with a length or chunked), forged origins, wrong content
 * types, values X rejects, and bad capture calls. Every one must get a 4xx.
 */
import { BODY_LIMIT_DEFAULT } from '@twclid-kit/browser/contract';
import fc from 'fast-check';
import { BENCH_ORIGIN } from '../lib/wire-events.ts';

export type MalformedKind =
  | 'wrong-type'
  | 'missing-required'
  | 'not-object'
  | 'broken-json'
  | 'huge'
  | 'deep'
  | 'bad-utf8'
  | 'pollution'
  | 'forged-origin'
  | 'content-type'
  | 'bad-value'
  | 'no-identifier'
  | 'empty-body'
  | 'capture';

export interface MalformedRequest {
  kind: MalformedKind;
  path: '/tw/events' | '/tw/capture';
  headers: Record<string, string>;
  body: Uint8Array;
  /** Sent with `Transfer-Encoding: chunked` (no Content-Length), in these chunk sizes. */
  chunks?: number[];
  /** Raw emails/phones in the body (must never reach storage or logs). */
  pii: string[];
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type WireLike = Record<string, Json>;

const enc = new TextEncoder();
const EVENTS = ['o87ne', 'tw-o8z6j-o87ne', 'o87nf', 'o87ng'] as const;

/** A valid event as the browser sends it (the kit would accept it as is). */
export const validEvent: fc.Arbitrary<WireLike> = fc.record({
  event_id: fc.constantFrom(...EVENTS),
  conversion_id: fc.uuid({ version: 4 }),
  twclid: fc.stringMatching(/^[0-9a-z]{26}$/),
  email: fc
    .tuple(
      fc.stringMatching(/^[a-z][a-z0-9.]{0,15}[a-z0-9]$/),
      fc.constantFrom('example.com', 'example.org'),
    )
    .map(([user, domain]) => `${user}@${domain}`),
  value: fc.constantFrom('20.00', 12.5, 99),
  currency: fc.constantFrom('USD', 'EUR', 'GBP'),
  event_source_url: fc.constant('https://shop.example/checkout'),
});

const notAString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
);

/** Fields and values of the wrong type for them (null is allowed for optional fields). */
const wrongTyped: fc.Arbitrary<[string, Json]> = fc.oneof(
  fc.tuple(fc.constantFrom('event_id', 'conversion_id'), fc.oneof(notAString, fc.constant(null))),
  fc.tuple(
    fc.constantFrom(
      'twclid',
      'email',
      'phone',
      'currency',
      'description',
      'event_source_url',
      'conversion_time',
    ),
    notAString,
  ),
  fc.tuple(
    fc.constant('value'),
    fc.oneof(fc.boolean(), fc.array(fc.integer(), { maxLength: 2 }), fc.constant<Json>({})),
  ),
  fc.tuple(
    fc.constant('number_items'),
    fc.oneof(fc.string({ minLength: 1, maxLength: 4 }), fc.boolean(), fc.constant<Json>([1])),
  ),
  fc.tuple(
    fc.constant('contents'),
    fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant<Json>({ content_id: 'a' })),
  ),
  fc.tuple(
    fc.constant('opt_out'),
    fc.oneof(fc.constantFrom('yes', 'true', '1'), fc.integer(), fc.constant<Json>([])),
  ),
);

/** Right type, value X (or the kit's allow-list) rejects. */
const badValue: fc.Arbitrary<[string, Json]> = fc.oneof(
  fc.tuple(
    fc.constant('event_id'),
    fc.constantFrom('o99zz', 'tw-zzzzz-o87ne', '', 'not an event', 'tw-o8z6j-'),
  ),
  fc.tuple(
    fc.constant('conversion_id'),
    // Blank, control characters, a lone surrogate (docs/product.md, "Wire contract").
    fc.constantFrom('', '   ', 'order\u00001', 'order\u0007', 'order\u007F', 'order-\uD800'),
  ),
  fc.tuple(fc.constant('currency'), fc.constantFrom('US1', 'DOLLARS', '€', 'usd$')),
  fc.tuple(fc.constant('number_items'), fc.constantFrom(0, -1, 1.5, -0.5)),
  fc.tuple(
    fc.constant('conversion_time'),
    fc.constantFrom(
      'yesterday',
      '2026-13-45T00:00:00.000Z',
      'soon',
      '2026-02-31T00:00:00.000Z', // no such day (Date.parse would roll it over)
      '2026-03-01T24:00:00.000Z', // no hour 24
      '1970-01-01T00:00:00.000Z', // older than X's 90-day attribution window
      '9999-12-31T23:59:59.999Z', // far in the future
    ),
  ),
  fc.tuple(fc.constant('phone'), fc.constantFrom('12', 'call me', '+0 000')),
  // Above the kit's range (at most 1,000,000,000): a 32-digit value.
  fc.tuple(fc.constant('value'), fc.constantFrom('12345678901234567890123456789012', 1e12)),
);

const withField = ([event, [field, value]]: [WireLike, [string, Json]]): WireLike => ({
  ...event,
  [field]: value,
});

/** Invalid UTF-8 byte sequences (RFC 3629 §3): stray continuation, overlong, surrogate, truncated, 0xFF. */
const BAD_UTF8: readonly number[][] = [
  [0x80],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0xff],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
];

function bytesWithBadUtf8(event: WireLike, field: string, bad: number[], at: number): Uint8Array {
  // Put a marker inside the field's string value, then swap the marker for the raw bytes.
  const marker = '\u0000BAD\u0000';
  const current = typeof event[field] === 'string' ? (event[field] as string) : 'x';
  const cut = Math.min(at, current.length);
  const text = JSON.stringify({
    ...event,
    [field]: current.slice(0, cut) + marker + current.slice(cut),
  });
  const escaped = JSON.stringify(marker).slice(1, -1);
  const [before, after] = text.split(escaped) as [string, string];
  return Buffer.concat([enc.encode(before), Uint8Array.from(bad), enc.encode(after)]);
}

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

interface Draft {
  kind: MalformedKind;
  body: Uint8Array | string;
  path?: MalformedRequest['path'];
  headers?: Record<string, string>;
  pii?: string[];
}

const piiOf = (event: WireLike): string[] =>
  ['email', 'phone'].flatMap((k) =>
    typeof event[k] === 'string' && event[k] !== '' ? [event[k] as string] : [],
  );

const drafts: fc.Arbitrary<Draft> = fc.oneof(
  fc.tuple(validEvent, wrongTyped).map((t) => ({
    kind: 'wrong-type' as const,
    body: JSON.stringify(withField(t)),
    pii: piiOf(t[0]),
  })),
  fc.tuple(validEvent, fc.constantFrom('event_id', 'conversion_id')).map(([e, drop]) => {
    const { [drop]: _dropped, ...rest } = e;
    return { kind: 'missing-required' as const, body: JSON.stringify(rest), pii: piiOf(e) };
  }),
  fc
    .oneof(
      fc.array(fc.integer(), { maxLength: 3 }),
      fc.string({ maxLength: 10 }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
    )
    .map((v) => ({ kind: 'not-object' as const, body: JSON.stringify(v) })),
  fc
    .tuple(validEvent, fc.nat(), fc.constantFrom('cut', '}', ',', 'x', "'", 'NaN'))
    .map(([e, at, how]) => {
      const text = JSON.stringify(e);
      const body =
        how === 'cut'
          ? text.slice(0, 1 + (at % (text.length - 1)))
          : how === "'"
            ? text.replaceAll('"', "'")
            : how === 'NaN'
              ? text.replace('{', '{"value":NaN,')
              : text + how;
      return { kind: 'broken-json' as const, body, pii: piiOf(e) };
    }),
  fc
    .tuple(validEvent, fc.integer({ min: BODY_LIMIT_DEFAULT + 1, max: 256 * 1024 }))
    .map(([e, size]) => {
      const base = JSON.stringify({ ...e, description: '' });
      return {
        kind: 'huge' as const,
        body: JSON.stringify({ ...e, description: 'x'.repeat(Math.max(0, size - base.length)) }),
        pii: piiOf(e),
      };
    }),
  fc
    .tuple(validEvent, fc.integer({ min: 200, max: 5000 }), fc.boolean())
    .map(([e, depth, inEventId]) => {
      // Deep nesting either as the event ID (wrong type) or in an unknown key with conversion_id missing.
      const { conversion_id: _c, ...noId } = e;
      const body = inEventId
        ? JSON.stringify({ ...e, event_id: '\u0000' }).replace('"\\u0000"', nested(depth))
        : JSON.stringify({ ...noId, extra: '\u0000' }).replace('"\\u0000"', nested(depth));
      return { kind: 'deep' as const, body, pii: piiOf(e) };
    }),
  fc
    .tuple(
      validEvent,
      fc.constantFrom('event_id', 'conversion_id', 'email', 'twclid', 'description'),
      fc.constantFrom(...BAD_UTF8),
      fc.nat(30),
    )
    .map(([e, field, bad, at]) => ({
      kind: 'bad-utf8' as const,
      body: bytesWithBadUtf8({ ...e, description: 'thanks' }, field, bad, at),
      pii: piiOf(e),
    })),
  fc
    .tuple(validEvent, fc.constantFrom('proto-all', 'constructor', 'proto-event'))
    .map(([e, how]) => {
      const inner = JSON.stringify(e);
      const body =
        how === 'proto-all'
          ? `{"__proto__":${inner}}`
          : how === 'constructor'
            ? `{"constructor":{"prototype":${inner}}}`
            : `{"__proto__":{"event_id":${JSON.stringify(e.event_id)}},"conversion_id":${JSON.stringify(e.conversion_id)},"email":${JSON.stringify(e.email)}}`;
      return { kind: 'pollution' as const, body, pii: piiOf(e) };
    }),
  fc
    .tuple(
      validEvent,
      fc.constantFrom(
        'https://evil.example',
        'null',
        'http://shop.example',
        'https://shop.example.evil.test',
        'https://evil.shop.example',
        'https://shop.example:8443',
      ),
    )
    .map(([e, origin]) => ({
      kind: 'forged-origin' as const,
      body: JSON.stringify(e),
      headers: { origin },
      pii: piiOf(e),
    })),
  fc
    .tuple(
      validEvent,
      fc.constantFrom(
        'application/xml',
        'image/png',
        'application/octet-stream',
        'text/html',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
      ),
    )
    .map(([e, type]) => ({
      kind: 'content-type' as const,
      body: JSON.stringify(e),
      headers: { 'content-type': type },
      pii: piiOf(e),
    })),
  fc.tuple(validEvent, badValue).map((t) => ({
    kind: 'bad-value' as const,
    body: JSON.stringify(withField(t)),
    pii: piiOf(t[0]),
  })),
  validEvent.map((e) => {
    const { twclid: _t, email: _e, ...rest } = e;
    return { kind: 'no-identifier' as const, body: JSON.stringify(rest) };
  }),
  fc.constant({ kind: 'empty-body' as const, body: '' }),
  fc
    .oneof(
      fc.constant('{}'),
      notAString.map((v) => JSON.stringify({ twclid: v })),
      fc
        .constantFrom('has space', 'a/b', '<script>', 'x'.repeat(300), '')
        .map((v) => JSON.stringify({ twclid: v })),
      fc.constant('{"twclid":'),
    )
    .map((body) => ({ kind: 'capture' as const, body, path: '/tw/capture' as const })),
);

/** Splits `length` bytes into chunk sizes. */
const chunking = (length: number): fc.Arbitrary<number[] | undefined> =>
  fc.option(
    fc.array(fc.integer({ min: 1, max: 8192 }), { minLength: 1, maxLength: 64 }).map((sizes) => {
      const out: number[] = [];
      let left = length;
      for (let i = 0; left > 0; i++) {
        const n = Math.min(left, sizes[i % sizes.length] as number);
        out.push(n);
        left -= n;
      }
      return out.length > 0 ? out : [0];
    }),
    { nil: undefined },
  );

export const malformedRequest: fc.Arbitrary<MalformedRequest> = fc
  .tuple(drafts, fc.constantFrom('application/json', 'text/plain;charset=UTF-8'))
  .chain(([draft, contentType]) => {
    const body = typeof draft.body === 'string' ? enc.encode(draft.body) : draft.body;
    return chunking(body.length).map((chunks) => ({
      kind: draft.kind,
      path: draft.path ?? '/tw/events',
      headers: {
        'content-type': contentType,
        origin: BENCH_ORIGIN,
        'user-agent': 'twclid-kit-reliability/1.0',
        ...draft.headers,
      },
      body,
      ...(chunks ? { chunks } : {}),
      pii: draft.pii ?? [],
    }));
  });

/** `count` malformed requests, the same for the same seed. */
export function malformedRequests(count: number, seed: number): MalformedRequest[] {
  return fc.sample(malformedRequest, { numRuns: count, seed });
}
