/**
 * Shared fixtures of the kit's route and middleware tests: a kit on a memory
 * outbox and a fake X, mounted at /tw on a real Hono app.
 */
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { type TwclidKitOptions, twclidKit } from '../src/kit.ts';
import { memoryOutbox } from '../src/outbox-memory.ts';
import { fakeX, memoryLogger } from './fakes.ts';

export const T0 = Date.UTC(2026, 0, 1);
export const SITE = 'https://shop.example';
export const TWCLID = '23opevjt88psuo13lu8d020qkn';
// SHA-256 of "test@twitter.com" (docs/x-api.md §1, X's documented vector).
export const EMAIL_HASH = 'd360d510a224510f373931ce2d6215a799f5a9c1cef221b0149b6b6b50cced62';
// A valid US number; its digest is of the E.164 form with the `+` (docs/x-api.md §1).
export const PHONE = '+1 (415) 555-2671';
export const PHONE_HASH = createHash('sha256').update('+14155552671').digest('hex');

export function setup(overrides: Partial<TwclidKitOptions> = {}) {
  const x = fakeX();
  const store = memoryOutbox();
  const logger = memoryLogger();
  const kit = twclidKit({
    pixelId: 'o8z6j',
    events: ['o87ne', 'tw-o8z6j-o87nf'],
    store,
    client: x,
    logger,
    getIp: (c) => c.req.header('x-test-ip') ?? '203.0.113.7',
    ...overrides,
  });
  const app = new Hono();
  app.route('/tw', kit);
  return { x, store, logger, kit, app };
}

export const event = (body: Record<string, unknown> = {}) => ({
  event_id: 'o87ne',
  conversion_id: 'c0ffee00-0000-4000-8000-000000000001',
  twclid: TWCLID,
  email: '  Test@Twitter.com ',
  phone: PHONE,
  value: '20.00',
  currency: 'USD',
  event_source_url: `${SITE}/checkout`,
  ...body,
});

export function post(
  app: Hono,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  raw = false,
): Promise<Response> {
  return Promise.resolve(
    app.request(`${SITE}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: SITE,
        'user-agent': 'Mozilla/5.0 test',
        ...headers,
      },
      body: raw ? (body as string) : JSON.stringify(body),
    }),
  );
}
