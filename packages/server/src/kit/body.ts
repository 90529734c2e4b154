/**
 * Request bodies: the size limit (`bodyLimit`, default 16 KB) and JSON reading
 * (application/json or text/plain from `sendBeacon`; UTF-8 only).
 */
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Responses } from './responses.ts';

/** Fatal: a body that is not UTF-8 is an error, not a string with U+FFFD in it. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export type JsonRead = { ok: true; body: unknown } | { ok: false; response: Response };

export interface BodyReader {
  /**
   * Runs `then` (which decides the response) once the body is known to be
   * within the limit; answers 413 otherwise. `undefined` from `then` means
   * "no response: go on" (the form middleware).
   */
  withBodyLimit(
    c: Context,
    then: () => Promise<Response | undefined>,
  ): Promise<Response | undefined>;
  /** Reads a JSON body: 415 for other media types, 400 for bytes that are not UTF-8 or not JSON. */
  readJson(c: Context): Promise<JsonRead>;
}

/**
 * Creates the body reader.
 *
 * @param maxBody the limit in bytes (resolved and checked by `resolveKitOptions`).
 * @param responses the kit's responses (413, 415 and 400 are counted refusals).
 */
export function createBodyReader(maxBody: number, responses: Responses): BodyReader {
  const limitBody = bodyLimit({ maxSize: maxBody, onError: responses.tooLarge });

  // An unread body goes through Hono's body limit, which counts a chunked
  // stream (no Content-Length) as it reads it. A body that an earlier middleware
  // already read through Hono (`hono/validator`, `c.req.parseBody()`) has no
  // stream left for that (Hono's limit would fail on the locked stream), so it
  // is measured from Hono's body cache instead.
  async function withBodyLimit(
    c: Context,
    then: () => Promise<Response | undefined>,
  ): Promise<Response | undefined> {
    if (Object.keys(c.req.bodyCache).length > 0) {
      const size = (await c.req.arrayBuffer()).byteLength;
      return size > maxBody ? responses.tooLarge(c) : then();
    }
    // A declared length is checked from the header alone, as Hono's limit does,
    // but without touching `c.req.raw.body` first: on @hono/node-server that
    // property turns the light request into a full web stream, which made every
    // accepted event about five times slower. HTTP/1.1 parsers deliver exactly
    // Content-Length bytes, so the header is a safe bound.
    const declared = c.req.header('content-length');
    if (declared !== undefined && c.req.header('transfer-encoding') === undefined) {
      return Number(declared) <= maxBody ? then() : responses.tooLarge(c);
    }
    let response: Response | undefined;
    return Promise.resolve(
      limitBody(c, async () => {
        response = await then();
      }),
    ).then((limited) => limited ?? response);
  }

  async function readJson(c: Context): Promise<JsonRead> {
    const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (type !== 'application/json' && type !== 'text/plain' && type !== '') {
      return {
        ok: false,
        response: responses.refuse(
          c,
          415,
          'unsupported_media_type',
          'Send JSON (application/json or text/plain)',
          'content-type',
        ),
      };
    }
    // JSON text must be UTF-8 (RFC 8259 §8.1): invalid bytes are refused, never
    // replaced with U+FFFD and stored.
    let text: string;
    try {
      text = utf8.decode(await c.req.arrayBuffer());
    } catch {
      return {
        ok: false,
        response: responses.refuse(c, 400, 'malformed_body', 'The body is not valid UTF-8', 'body'),
      };
    }
    try {
      return { ok: true, body: JSON.parse(text) };
    } catch {
      return {
        ok: false,
        response: responses.refuse(c, 400, 'malformed_json', 'The body is not valid JSON', 'body'),
      };
    }
  }

  return { withBodyLimit, readJson };
}
