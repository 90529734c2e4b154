/**
 * `readFormBody` never takes a body from the app (issue #12, item 4): whatever
 * the size, the chunking, a declared length or not, and whether an earlier
 * middleware read it first, the handler after it reads exactly the bytes that
 * were sent, and the kit parses the form only when it is within the limit.
 */
import fc from 'fast-check';
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { describe, expect, it } from 'vitest';
import { type FormBodyRead, readFormBody } from './form-body.ts';

const LIMIT = 256;

interface Seen {
  read: FormBodyRead;
  text: string;
}

/** A route that runs `readFormBody`, then reads the body as an app handler would. */
function route(earlierRead: boolean) {
  const seen: Seen[] = [];
  const app = new Hono();
  const before = createMiddleware(async (c, next) => {
    if (earlierRead) await c.req.text();
    await next();
  });
  app.post('/', before, async (c) => {
    const read = await readFormBody(c, LIMIT);
    seen.push({ read, text: await c.req.text() });
    return c.body(null, 204);
  });
  return { app, seen };
}

function request(text: string, chunkSize: number, declared: boolean): RequestInit {
  const bytes = new TextEncoder().encode(text);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
  };
  if (declared) headers['content-length'] = String(bytes.length);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let at = 0; at < bytes.length; at += chunkSize) {
        controller.enqueue(bytes.slice(at, at + chunkSize));
      }
      controller.close();
    },
  });
  return { method: 'POST', headers, body, duplex: 'half' } as RequestInit;
}

describe('readFormBody', () => {
  it('leaves the whole body to the handler and parses it only within the limit (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Any text, then a run that puts the body anywhere from far below to far above the
        // limit (fast-check keeps generated strings short by default).
        fc.string({ unit: 'grapheme', maxLength: 8 }),
        fc.integer({ min: 0, max: 2 * LIMIT }),
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        fc.boolean(),
        async (start, fill, chunkSize, declared, earlierRead) => {
          const value = start + 'x'.repeat(fill);
          const text = new URLSearchParams({ note: value }).toString();
          const size = new TextEncoder().encode(text).length;
          const { app, seen } = route(earlierRead);
          await app.request('https://shop.example/', request(text, chunkSize, declared));
          const [{ read, text: handlerText } = {} as Seen] = seen;
          expect(handlerText).toBe(text);
          if (size <= LIMIT) expect(read).toEqual({ ok: true, body: { note: value } });
          else expect(read).toEqual({ ok: false, reason: 'body_too_large' });
        },
      ),
      { numRuns: 200 },
    );
  });
});
