// Node 20.19+: `node app.mjs` with @hono/node-server. The outbox here is in
// memory; for one that survives restarts, pass sqliteOutbox() from
// @twclid-kit/server/sqlite (better-sqlite3, an optional peer) instead.
import { serve } from '@hono/node-server';
import { configFromEnv, installSignalHandlers, memoryOutbox, twclidKit } from '@twclid-kit/server';
import { Hono } from 'hono';

const x = configFromEnv(); // X_PIXEL_ID, X_PIXEL_TOKEN or OAuth, X_ADS_API_BASE_URL
const kit = twclidKit({
  pixelId: x.pixelId,
  auth: x.auth,
  baseUrl: x.baseUrl,
  events: ['o87ne'],
  store: memoryOutbox(),
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

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000) }, (info) =>
  console.log(`listening on http://localhost:${info.port}`),
);
installSignalHandlers(kit, { server });
