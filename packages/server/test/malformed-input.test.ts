/**
 * Bad input, generated: only 4xx answers, never a crash, nothing enqueued
 * (docs/product.md "Goals we measure": 10,000 malformed requests; 300 per run here).
 */
import fc from 'fast-check';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { twclidKit } from '../src/kit.ts';
import { memoryOutbox } from '../src/outbox-memory.ts';
import { fakeX, memoryLogger } from './fakes.ts';

const SITE = 'https://shop.example';

const wrongTyped = fc.record(
  {
    event_id: fc.oneof(fc.constant('o87ne'), fc.string(), fc.integer(), fc.constant(null)),
    conversion_id: fc.oneof(
      fc.constant(''),
      fc.integer(),
      fc.array(fc.string()),
      fc.constant(undefined),
    ),
    email: fc.oneof(fc.string(), fc.integer(), fc.object()),
    phone: fc.oneof(fc.string(), fc.boolean()),
    value: fc.oneof(fc.string(), fc.object(), fc.double()),
    contents: fc.oneof(fc.anything(), fc.array(fc.anything())),
    __proto__: fc.object(),
  },
  { requiredKeys: ['conversion_id'] },
);

const body = fc.oneof(
  fc.string(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  wrongTyped.map((v) => JSON.stringify(v)),
  fc.constantFrom('{', '{"event_id":', '\u0000', '{"__proto__":{"x":1}}', 'null', '[]', '1e999'),
);
const contentType = fc.constantFrom(
  'application/json',
  'text/plain',
  'text/plain;charset=UTF-8',
  'application/xml',
  '',
);

describe('malformed requests', () => {
  it('only ever get a 4xx JSON rejection, and nothing reaches the outbox', async () => {
    const store = memoryOutbox();
    const kit = twclidKit({
      pixelId: 'o8z6j',
      events: ['o87ne'],
      store,
      client: fakeX(),
      logger: memoryLogger(),
      ipRateLimit: false,
      autoStart: false,
    });
    const app = new Hono();
    app.route('/tw', kit);
    await fc.assert(
      fc.asyncProperty(
        body,
        contentType,
        fc.constantFrom('/tw/events', '/tw/capture'),
        async (text, type, path) => {
          const res = await app.request(`${SITE}${path}`, {
            method: 'POST',
            headers: { 'content-type': type, origin: SITE },
            body: text,
          });
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          const json = (await res.json()) as { error: { code: string; message: string } };
          expect(json.error.code).toBeTruthy();
        },
      ),
      { numRuns: 300 },
    );
    expect(await store.stats(Date.now())).toMatchObject({ pending: 0, inFlight: 0 });
  });
});
