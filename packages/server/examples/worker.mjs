// Cloudflare Workers: `wrangler deploy` with wrangler.jsonc beside it. A
// Worker has no timers once its response is sent, so the kit delivers each
// accepted event through the request's executionCtx.waitUntil(), and the Cron
// Trigger's scheduled() sends retries that came due. The kit is made at the
// first request (workerd allows no I/O or timers at global scope) and lives as
// long as the isolate. The outbox is a Durable Object with SQLite storage
// (TwclidOutboxObject, bound as OUTBOX): an accepted event is stored there
// before the 202, outlives the isolate, and every isolate shares it and X's
// budget. The visitor's address comes from CF-Connecting-IP, which the kit
// trusts on workerd only.
import { configFromEnv, twclidKit } from '@twclid-kit/server';
import { durableObjectOutbox, TwclidOutboxObject } from '@twclid-kit/server/durable-object';
import { Hono } from 'hono';

let app;
let kit;
function kitFor(env) {
  if (kit) return kit;
  const x = configFromEnv(env); // X_PIXEL_ID, X_PIXEL_TOKEN (a secret) or OAuth, X_ADS_API_BASE_URL
  kit = twclidKit({
    pixelId: x.pixelId,
    auth: x.auth,
    baseUrl: x.baseUrl,
    events: ['o87ne'],
    store: durableObjectOutbox(env.OUTBOX), // one object, named 'outbox'
    autoStart: false, // starts with the first request
  });
  app = new Hono();
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
  return kit;
}

// The outbox's class, exported for the binding in wrangler.jsonc.
export { TwclidOutboxObject };

export default {
  fetch(request, env, ctx) {
    kitFor(env);
    return app.fetch(request, env, ctx);
  },
  scheduled(controller, env, ctx) {
    return kitFor(env).scheduled(controller, env, ctx);
  },
};
