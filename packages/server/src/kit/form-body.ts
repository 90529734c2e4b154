/**
 * How `kit.form()` reads the app's form post without taking it from the app:
 * whatever the kit decides, the handler after it reads the body as if the kit
 * were not there (docs/product.md, "Safety (the server)").
 *
 * - A body within the limit is read through Hono's cache the way Hono's own
 *   `validator('form')` does: the bytes (`c.req.arrayBuffer()`), then the form
 *   parsed from them with the request's content type, stored as the cache's
 *   `formData`. The app's `c.req.parseBody()`, `formData()`, `text()` and a
 *   validator read from that cache, on every Hono the package supports (before
 *   4.13 Hono derives a missing form from cached bytes without their content
 *   type, so the kit must not leave that to it). A body that fails to parse
 *   leaves only the bytes, so `c.req.text()` still reads it.
 * - A body over the limit is not read: with a declared `Content-Length` the
 *   stream is never touched; a chunked one is read only up to the limit, and
 *   what was read is put back in front of the rest of the stream.
 * - A body an earlier middleware already read through Hono is measured from
 *   Hono's cache.
 */
import type { Context } from 'hono';
import { bufferToFormData } from 'hono/utils/buffer';

export type FormBodyRead =
  | { ok: true; body: Record<string, unknown> }
  | { ok: false; reason: 'body_too_large' | 'malformed_body' };

/** Reads and parses the form body if it is at most `maxBody` bytes, leaving it readable for the app. */
export async function readFormBody(c: Context, maxBody: number): Promise<FormBodyRead> {
  if (Object.keys(c.req.bodyCache).length > 0) {
    const size = (await c.req.arrayBuffer()).byteLength;
    return size > maxBody ? { ok: false, reason: 'body_too_large' } : parse(c);
  }
  // A declared length is checked from the header alone, as Hono's body limit
  // does: HTTP/1.1 parsers deliver exactly Content-Length bytes.
  const declared = c.req.header('content-length');
  if (declared !== undefined && c.req.header('transfer-encoding') === undefined) {
    return Number(declared) > maxBody ? { ok: false, reason: 'body_too_large' } : parse(c);
  }
  const bytes = await readUpTo(c, maxBody);
  return bytes ? parse(c) : { ok: false, reason: 'body_too_large' };
}

async function parse(c: Context): Promise<FormBodyRead> {
  try {
    if (!c.req.bodyCache.formData) {
      const bytes = await c.req.arrayBuffer();
      // Throws for a body that cannot be parsed; then only the bytes are cached.
      c.req.bodyCache.formData = await bufferToFormData(bytes, c.req.header('content-type') ?? '');
    }
    return { ok: true, body: (await c.req.parseBody()) as Record<string, unknown> };
  } catch {
    // A multipart body without its boundary, or cut short: the kit cannot read it.
    return { ok: false, reason: 'malformed_body' };
  }
}

/**
 * Reads a body without a declared length up to `maxBody` bytes. Within the
 * limit the request gets the bytes as its body (`true`); over it, the request
 * gets a stream of the chunks read so far followed by the unread rest
 * (`false`), so the app still reads the whole body.
 */
async function readUpTo(c: Context, maxBody: number): Promise<boolean> {
  const raw = c.req.raw;
  if (!raw.body) return true;
  const reader = raw.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > maxBody) {
      c.req.raw = new Request(raw, { body: replay(chunks, reader), duplex: 'half' } as RequestInit);
      return false;
    }
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  c.req.raw = new Request(raw, { body });
  return true;
}

/** The chunks already read, then the rest of `reader`: the body as it arrived. */
function replay(
  head: Uint8Array[],
  rest: ReadableStreamDefaultReader<Uint8Array>,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = head.shift(); // released once handed on
      if (chunk !== undefined) {
        controller.enqueue(chunk);
        return;
      }
      const { done, value } = await rest.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => rest.cancel(reason),
  });
}
