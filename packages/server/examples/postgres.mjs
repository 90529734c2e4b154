// Node 20.19+, several instances on one PostgreSQL: run `node app.mjs` in each,
// with TWCLID_KIT_DATABASE_URL naming the same database (`pg`, an optional peer:
// npm install pg@^8). The outbox, X's budget and its pauses are shared through it.
import { serve } from '@hono/node-server';
import { configFromEnv, installSignalHandlers, twclidKit } from '@twclid-kit/server';
import { openPostgresOutbox } from '@twclid-kit/server/postgres';
import { Hono } from 'hono';

const x = configFromEnv(); // X_PIXEL_ID, X_PIXEL_TOKEN or OAuth, X_ADS_API_BASE_URL, TWCLID_KIT_X_BUDGET
// Creates or upgrades its tables on first start; fails here if the database is unreachable.
const store = await openPostgresOutbox({ connectionString: process.env.TWCLID_KIT_DATABASE_URL });
const kit = twclidKit({
  pixelId: x.pixelId,
  auth: x.auth,
  baseUrl: x.baseUrl,
  xBudget: x.xBudget, // X's budget for all instances together; lower it if other tools send too
  events: ['o87ne'],
  store,
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
