import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createBodyReader } from './body.ts';
import type { Counters } from './intake.ts';
import { createResponses } from './responses.ts';

function app(maxBody = 32) {
  const counters: Counters = {
    accepted: 0,
    duplicates: 0,
    suppressed: 0,
    spam: 0,
    rejected: 0,
    formSkipped: 0,
  };
  const reader = createBodyReader(maxBody, createResponses(counters, maxBody));
  const site = new Hono();
  site.post('/', async (c) => {
    const response = await reader.withBodyLimit(c, async () => {
      const read = await reader.readJson(c);
      return read.ok ? c.json({ body: read.body }) : read.response;
    });
    return response ?? c.body(null, 204);
  });
  return { site, counters };
}

const post = (site: Hono, body: string | Uint8Array, type = 'application/json') =>
  site.request('https://shop.example/', {
    method: 'POST',
    headers: { 'content-type': type },
    body,
  });

describe('body reader', () => {
  it('reads JSON sent as application/json, text/plain (sendBeacon) or without a type', async () => {
    const { site } = app();
    for (const type of ['application/json', 'text/plain;charset=UTF-8', '']) {
      const res = await post(site, '{"a":1}', type);
      expect(await res.json(), type).toEqual({ body: { a: 1 } });
    }
  });

  it.each([
    ['another media type', '{"a":1}', 'application/xml', 415, 'unsupported_media_type'],
    [
      'bytes that are not UTF-8',
      new Uint8Array([0x7b, 0xff, 0x7d]),
      'text/plain',
      400,
      'malformed_body',
    ],
    ['text that is not JSON', '{"a":', 'application/json', 400, 'malformed_json'],
    [
      'a body over the limit',
      JSON.stringify({ a: 'x'.repeat(64) }),
      'application/json',
      413,
      'body_too_large',
    ],
  ])('refuses %s (counted)', async (_name, body, type, status, code) => {
    const { site, counters } = app();
    const res = await post(site, body, type);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: { code } });
    expect(counters.rejected).toBe(1);
  });

  it('counts a chunked body without Content-Length as it reads it', async () => {
    const { site } = app();
    const chunks = [
      new TextEncoder().encode('{"a":"'),
      new TextEncoder().encode(`${'x'.repeat(64)}"}`),
    ];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const res = await site.request('https://shop.example/', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: stream,
      // Node's Request needs `duplex: 'half'` for a stream body.
      duplex: 'half',
    });
    expect(res.status).toBe(413);
  });
});
