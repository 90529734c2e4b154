import type { Server } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, PUBLIC_SERVER_TIMEOUTS } from './listen.ts';

// Reads the whole body first, as the kit's routes do.
const ok = async (request: Request) => new Response(await request.text());
let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

describe('listen', () => {
  it('replaces Node’s 300 s request timeout with limits for a public endpoint', async () => {
    server = await listen({ fetch: ok, port: 0, hostname: '127.0.0.1' });
    expect(server.requestTimeout).toBe(PUBLIC_SERVER_TIMEOUTS.requestTimeout);
    expect(server.headersTimeout).toBe(PUBLIC_SERVER_TIMEOUTS.headersTimeout);
    expect(server.keepAliveTimeout).toBe(PUBLIC_SERVER_TIMEOUTS.keepAliveTimeout);
    expect(server.requestTimeout).toBeLessThan(300_000);
  });

  it('cuts off a client that sends its body too slowly', async () => {
    server = await listen({
      fetch: ok,
      port: 0,
      hostname: '127.0.0.1',
      timeouts: { requestTimeout: 400, headersTimeout: 300, connectionsCheckingInterval: 100 },
    });
    const { port } = server.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString();
    });
    const closed = new Promise<number>((done) => {
      const started = Date.now();
      socket.on('close', () => done(Date.now() - started));
    });
    socket.write(
      'POST /tw/events HTTP/1.1\r\nHost: shop.test\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    );
    // One byte every 50 ms keeps the connection busy but never completes the body.
    const drip = setInterval(() => socket.writable && socket.write(' '), 50);
    const elapsed = await closed;
    clearInterval(drip);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(elapsed).toBeLessThan(5_000);
  });
});
