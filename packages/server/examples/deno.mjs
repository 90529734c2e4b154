// Deno 2: `deno run --allow-net --allow-env --allow-read --allow-write app.mjs`
// with Deno.serve. The kit reads each visitor's address from Deno's connection
// info (info.remoteAddr) without configuration. The outbox is a SQLite file
// through Deno's built-in node:sqlite (TWCLID_KIT_DB, else
// ./.twclid-kit/outbox.db; --allow-write for it): accepted events survive a restart.
import { configFromEnv, twclidKit } from '@twclid-kit/server';
import { nodeSqliteOutbox } from '@twclid-kit/server/node-sqlite';
import { Hono } from 'hono';

const x = configFromEnv(Deno.env.toObject()); // X_PIXEL_ID, X_PIXEL_TOKEN or OAuth, X_ADS_API_BASE_URL
const kit = twclidKit({
  pixelId: x.pixelId,
  auth: x.auth,
  baseUrl: x.baseUrl,
  events: ['o87ne'],
  store: nodeSqliteOutbox(),
});

const app = new Hono();
app.route('/tw', kit); // POST /tw/events, POST /tw/capture, GET /tw/twclid.js, GET /tw/health
app.post('/signup', kit.form({ eventId: 'o87ne' }), (c) => c.redirect('/thanks', 303));
app.post('/api/pay', async (c) => {
  const { email, conversion_id } = await c.req.json();
  const result = await kit.sendConversion(c, {
    eventId: 'o87ne',
    conversionId: conversion_id,
    email,
  });
  return c.json(result);
});

const server = Deno.serve(
  {
    port: Number(Deno.env.get('PORT') ?? 3000),
    onListen: ({ hostname, port }) => console.log(`listening on http://${hostname}:${port}`),
  },
  app.fetch,
);
Deno.addSignalListener('SIGTERM', async () => {
  await server.shutdown();
  await kit.shutdown();
  Deno.exit(0);
});
