/**
 * Sends one request byte for byte (node:http): a fixed Content-Length body, or
 * `Transfer-Encoding: chunked` in given chunk sizes. Resolves with the status
 * and body, or with the error when no answer came. Each request gets its own
 * connection (no agent pool): a pooled agent hands queued requests sockets the
 * server is closing after an early 413, and reports "socket hang up" for
 * requests the server never saw.
 */
import http from 'node:http';

export interface RawRequest {
  path: string;
  headers: Record<string, string>;
  body: Uint8Array;
  chunks?: number[];
}

export type RawAnswer = { status: number; body: string } | { error: string };

export function sendRaw(port: number, req: RawRequest, timeoutMs = 10_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (answer: RawAnswer): void => {
      if (!settled) {
        settled = true;
        resolve(answer);
      }
    };
    const headers: Record<string, string | number> = { ...req.headers };
    if (!req.chunks) headers['content-length'] = req.body.length;
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: req.path,
        headers,
        agent: false,
        timeout: timeoutMs,
      },
      (response) => {
        const parts: Buffer[] = [];
        response.on('data', (c: Buffer) => parts.push(c));
        response.on('end', () =>
          done({ status: response.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }),
        );
        response.on('error', (e) =>
          done({ status: response.statusCode ?? 0, body: `(body cut: ${e.message})` }),
        );
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    // A server may answer (e.g. 413) and close before the whole body is written: the
    // answer counts, the write error after it does not.
    request.on('error', (e) =>
      done({ error: `${(e as NodeJS.ErrnoException).code ?? e.name}: ${e.message}` }),
    );
    if (req.chunks) {
      let offset = 0;
      for (const size of req.chunks) {
        if (size > 0) request.write(req.body.subarray(offset, offset + size));
        offset += size;
      }
      request.end();
    } else {
      request.end(req.body);
    }
  });
}
