// Bun: `bun app.mjs` with Bun.serve. The kit reads each visitor's address
// from Bun's server (server.requestIP) without configuration. The outbox is a
// SQLite file through Bun's built-in bun:sqlite (TWCLID_KIT_DB, else
// ./.twclid-kit/outbox.db): accepted events survive a restart.
import { configFromEnv, installSignalHandlers, twclidKit } from '@twclid-kit/server';
import { bunSqliteOutbox } from '@twclid-kit/server/bun-sqlite';
import { Hono } from 'hono';

const x = configFromEnv(); // X_PIXEL_ID, X_PIXEL_TOKEN or OAuth, X_ADS_API_BASE_URL
const kit = twclidKit({
  pixelId: x.pixelId,
  auth: x.auth,
  baseUrl: x.baseUrl,
  events: ['o87ne'],
  store: bunSqliteOutbox(),
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

const server = Bun.serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000) });
console.log(`listening on ${server.url.href.replace(/\/$/, '')}`);
installSignalHandlers(kit, { server: { close: (done) => server.stop().then(() => done?.()) } });
