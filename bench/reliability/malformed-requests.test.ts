import { BODY_LIMIT_DEFAULT, TWCLID_PATTERN } from '@twclid-kit/browser/contract';
import fc from 'fast-check';
import { isValidPhoneNumber } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import { BENCH_ORIGIN } from '../lib/wire-events.ts';
import {
  type MalformedRequest,
  malformedRequest,
  malformedRequests,
  validEvent,
} from './malformed-requests.ts';

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const EVENT_ID = /^(?:tw-o8z6j-)?(o87ne|o87nf|o87ng)$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * An oracle written from the wire contract and X's rules (not from the kit's
 * code): why a request must be refused, or undefined if it looks acceptable.
 */
function whyMalformed(req: MalformedRequest): string | undefined {
  if (req.headers.origin !== BENCH_ORIGIN) return 'origin not allowed';
  const type = req.headers['content-type'] ?? '';
  if (!/^(application\/json|text\/plain)\b/.test(type)) return 'content type';
  if (req.body.length > BODY_LIMIT_DEFAULT) return 'body too large';
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(req.body);
  } catch {
    return 'invalid UTF-8';
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'invalid JSON';
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'not an object';
  const own = (k: string): unknown =>
    Object.hasOwn(body as object, k) ? (body as Record<string, unknown>)[k] : undefined;
  if (req.path === '/tw/capture') {
    const twclid = own('twclid');
    return typeof twclid === 'string' && TWCLID_PATTERN.test(twclid) ? undefined : 'bad twclid';
  }
  const eventId = own('event_id');
  const conversionId = own('conversion_id');
  if (typeof eventId !== 'string' || !EVENT_ID.test(eventId)) return 'event_id';
  if (typeof conversionId !== 'string' || conversionId.trim() === '') return 'conversion_id';
  // Control characters (C0, DEL, C1) and lone surrogates (docs/product.md, "Wire contract").
  if (/\p{Cc}|\p{Cs}/u.test(conversionId)) return 'conversion_id';
  for (const k of [
    'twclid',
    'email',
    'phone',
    'currency',
    'description',
    'event_source_url',
    'conversion_time',
  ]) {
    const v = own(k);
    if (v !== undefined && v !== null && typeof v !== 'string') return `${k} type`;
  }
  const value = own('value');
  if (
    value !== undefined &&
    value !== null &&
    typeof value !== 'number' &&
    typeof value !== 'string'
  )
    return 'value type';
  const items = own('number_items');
  if (items !== undefined && items !== null && !(Number.isInteger(items) && (items as number) > 0))
    return 'number_items';
  const contents = own('contents');
  if (contents !== undefined && contents !== null && !Array.isArray(contents))
    return 'contents type';
  const optOut = own('opt_out');
  if (optOut !== undefined && optOut !== null && typeof optOut !== 'boolean') return 'opt_out type';
  const currency = own('currency');
  if (typeof currency === 'string' && !CURRENCIES.has(currency)) return 'currency';
  const time = own('conversion_time');
  if (
    typeof time === 'string' &&
    !(ISO_TIME.test(time) && Date.parse(time) && new Date(time).toISOString() === time)
  ) {
    return 'conversion_time';
  }
  // The kit's window: at most 90 days back and 1 hour ahead of now.
  if (typeof time === 'string') {
    const at = Date.parse(time);
    if (at < Date.now() - 90 * 86_400_000 || at > Date.now() + 3_600_000) return 'conversion_time';
  }
  if (Number(value) > 1e9) return 'value';
  const phone = own('phone');
  if (typeof phone === 'string' && !isValidPhoneNumber(phone, 'US')) return 'phone';
  if (![own('twclid'), own('email'), phone].some((v) => typeof v === 'string' && v !== ''))
    return 'no identifier';
  return undefined;
}

describe('malformed requests', () => {
  it('are all malformed by the wire contract and X rules', () => {
    fc.assert(
      fc.property(malformedRequest, (req) => {
        expect(
          whyMalformed(req),
          `${req.kind}: ${Buffer.from(req.body).toString('latin1').slice(0, 200)}`,
        ).toBeDefined();
      }),
      { numRuns: 2000 },
    );
  });

  it('the oracle accepts valid events (so the property above can fail)', () => {
    fc.assert(
      fc.property(validEvent, (event) => {
        const req: MalformedRequest = {
          kind: 'wrong-type',
          path: '/tw/events',
          headers: { 'content-type': 'application/json', origin: BENCH_ORIGIN },
          body: new TextEncoder().encode(JSON.stringify(event)),
          pii: [],
        };
        expect(whyMalformed(req)).toBeUndefined();
      }),
    );
  });

  it('cover every kind, chunked and not, and are reproducible from the seed', () => {
    const sample = malformedRequests(3000, 42);
    const kinds = new Set(sample.map((r) => r.kind));
    expect(kinds.size).toBe(14);
    expect(sample.some((r) => r.chunks && r.body.length > BODY_LIMIT_DEFAULT)).toBe(true);
    expect(sample.some((r) => !r.chunks)).toBe(true);
    for (const r of sample.filter((x) => x.chunks)) {
      expect(r.chunks?.reduce((a, b) => a + b, 0)).toBe(r.body.length);
    }
    expect(malformedRequests(50, 7)).toEqual(malformedRequests(50, 7));
  });
});
