/**
 * The ingest baselines: a bare Hono route on @hono/node-server that answers 204
 * without reading the body, or (`--read-json`) after parsing the JSON body, which
 * separates what any body-reading route pays from the kit's own work. Started as
 * a child process by the ingest benchmark; prints `{"ready":true,"port":N}` once
 * listening.
 *
 *   node --import tsx bench/servers/bare-server.ts [--port 0] [--read-json]
 */
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'read-json': { type: 'boolean', default: false },
  },
});

const app = new Hono();
if (values['read-json']) {
  app.post('/tw/events', async (c) => {
    await c.req.json();
    return c.body(null, 204);
  });
} else {
  app.post('/tw/events', (c) => c.body(null, 204));
}

const server = serve(
  { fetch: app.fetch, port: Number(values.port), hostname: '127.0.0.1' },
  (info) => {
    console.log(JSON.stringify({ ready: true, port: (info as AddressInfo).port }));
  },
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
