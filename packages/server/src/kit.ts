/**
 * `twclidKit(options)`: the Hono sub-app that turns browser events, form posts
 * and app calls into durably stored X Conversion API conversions, plus the
 * dispatcher that delivers them. Imports nothing Node-only, so with
 * `memoryOutbox()` it runs on edge runtimes; the SQLite store lives in
 * `@twclid-kit/server/sqlite`.
 *
 * This file only wires the kit's rooms in `kit/`, each a factory of its own:
 * `options.ts` (defaults and ConfigError checks), `delivery.ts` (the
 * dispatcher), `request-facts.ts` (IP, host, https, GPC, user agent, once per
 * request), `twclid.ts` (the one click-ID rule), `click-cookie.ts`, `body.ts`
 * (limits, JSON), `responses.ts`, `guards.ts` (503/403/429), `intake.ts`
 * (accept, counters, stats), `events-route.ts`, `capture-route.ts`,
 * `form-middleware.ts`, `landing-middleware.ts`, `send-conversion.ts`,
 * `lifecycle.ts` (start, purge, shutdown), `cors.ts`; the public types are in
 * `types.ts`.
 */
import { CAPTURE_PATH, EVENTS_PATH } from '@twclid-kit/browser/contract';
import { Hono } from 'hono';
import { ConfigError } from './errors.ts';
import { createAfterResponse } from './kit/after-response.ts';
import { createBodyReader } from './kit/body.ts';
import { createBrowserBacklog } from './kit/browser-backlog.ts';
import { createCaptureRoute } from './kit/capture-route.ts';
import { createClickCookie } from './kit/click-cookie.ts';
import { crossOriginCors } from './kit/cors.ts';
import { createKitDispatcher } from './kit/delivery.ts';
import { createEventsRoute } from './kit/events-route.ts';
import { createFormMiddleware } from './kit/form-middleware.ts';
import { createFormSkips } from './kit/form-skips.ts';
import { createEndpointGuard, createRateLimitCheck } from './kit/guards.ts';
import { createHealthRoute } from './kit/health-route.ts';
import { createFromRequest, createIntake } from './kit/intake.ts';
import { createLandingMiddleware } from './kit/landing-middleware.ts';
import { createLifecycle, intakeStore } from './kit/lifecycle.ts';
import { resolveKitOptions } from './kit/options.ts';
import { requestFacts } from './kit/request-facts.ts';
import { createResponses, kitErrorHandler } from './kit/responses.ts';
import { createSendConversion } from './kit/send-conversion.ts';
import type { TwclidEnv, TwclidKit, TwclidKitMembers, TwclidKitOptions } from './kit/types.ts';
import { rateLimitKey } from './safety/client-ip.ts';
import { createEventAllowList } from './safety/event-allow-list.ts';
import { createOriginCheck } from './safety/origin.ts';
import { createProxyHeaderCheck } from './safety/proxy-warning.ts';
import { createRateLimiter } from './safety/rate-limit.ts';
import { SCRIPT_PATH, scriptRoute } from './script-route.ts';

export type {
  ConversionResult,
  FormOptions,
  KitStats,
  SendConversionInput,
  TwclidEnv,
  TwclidKit,
  TwclidKitMembers,
  TwclidKitOptions,
  TwclidVariables,
} from './kit/types.ts';

/**
 * Creates the kit.
 *
 * Routes (relative to where it is mounted): `POST /events` (JSON, or the same
 * JSON as `text/plain` from `sendBeacon`) → 202 `{ conversion_id }`;
 * `POST /capture` `{ twclid }` → 204 with `Set-Cookie`; `GET /health` → `{ status }`
 * (the stats with `healthDetails`).
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { twclidKit, configFromEnv } from '@twclid-kit/server';
 * import { sqliteOutbox } from '@twclid-kit/server/sqlite';
 *
 * const kit = twclidKit({
 *   pixelId: 'o8z6j',
 *   auth: { kind: 'pixel-token', token: process.env.X_PIXEL_TOKEN! },
 *   events: ['o87ne'],
 *   store: sqliteOutbox(),
 * });
 * const app = new Hono();
 * app.route('/tw', kit);
 * app.post('/signup', kit.form({ eventId: 'o87ne' }), async (c) => {
 *   const body = await c.req.parseBody(); // still readable
 *   return c.redirect('/thanks');
 * });
 * installSignalHandlers(kit);
 * ```
 */
export function twclidKit(options: TwclidKitOptions): TwclidKit {
  const o = resolveKitOptions(options);
  const { store, now, logger } = o;
  const allowList = createEventAllowList(o.pixelId, o.events);
  const originAllowed = createOriginCheck(o.allowedOrigins, o.proxied);
  const limiter =
    o.ipRateLimit === false ? undefined : createRateLimiter({ ...o.ipRateLimit, now });
  const dispatcher = createKitDispatcher(options, {
    ...{ store, logger, now },
    browserShare: o.browserShare,
    xBudget: o.xBudget,
  });
  const { retainDeliveredMs, timers } = o;
  const lifecycle = createLifecycle({ dispatcher, store, timers, now, logger, retainDeliveredMs });
  const { isStopping } = lifecycle;

  // Workers: flush after the response through waitUntil(), drain retries from scheduled().
  const after = createAfterResponse({ dispatcher, start: lifecycle.start, logger });

  const { pixelId, account, dedupWindowMs, buildOptions } = o;
  const intake = createIntake({
    store: intakeStore(store),
    dispatcher: after.dispatcher,
    now,
    pixelId,
    account,
    dedupWindowMs,
    buildOptions,
    logger,
  });
  const responses = createResponses(intake.counters, o.maxBody);
  const factsOf = requestFacts({
    ipOptions: o.ipOptions,
    proxied: o.proxied,
    respectGpc: o.respectGpc,
  });
  const clickCookie = createClickCookie(o.cookie, factsOf, now);
  const fromRequest = createFromRequest(factsOf, clickCookie.read);
  const body = createBodyReader(o.maxBody, responses);
  const noteProxyHeader = createProxyHeaderCheck(
    o.proxied || o.ipOptions.getIp !== undefined,
    logger,
  );
  const rateLimited = createRateLimitCheck(limiter, factsOf, intake.counters, noteProxyHeader);
  const guard = createEndpointGuard({ isStopping, originAllowed, rateLimited, responses });
  const { honeypotField } = o;

  const app = new Hono<TwclidEnv>();
  app.use(after.middleware);
  const cors = crossOriginCors(o.allowedOrigins);
  if (cors) app.use(EVENTS_PATH, cors).use(CAPTURE_PATH, cors);
  app.post(
    EVENTS_PATH,
    createEventsRoute({
      guard,
      body,
      responses,
      intake,
      fromRequest,
      factsOf,
      allowList,
      honeypotField,
      signer: o.signer,
      backlog: createBrowserBacklog({ store, limit: o.browserBacklog, now, logger }),
    }),
  );
  app.post(CAPTURE_PATH, createCaptureRoute({ guard, body, responses, factsOf, clickCookie }));
  if (o.script) app.get(SCRIPT_PATH, scriptRoute());
  if (o.health) {
    app.get(
      '/health',
      createHealthRoute({
        details: o.healthDetails,
        report: () => lifecycle.health(() => intake.stats(isStopping())),
      }),
    );
  }
  app.onError(kitErrorHandler(logger, lifecycle.storeFailed));

  const members: TwclidKitMembers = {
    sendConversion: after.aroundSend(
      createSendConversion({ isStopping, allowList, factsOf, intake, fromRequest }),
    ),
    form: after.aroundEach(
      createFormMiddleware({
        isStopping,
        originAllowed,
        // Only for a form that asks for it (FormOptions.ipRateLimit): a post over it is let through.
        ipLimited: (c) => limiter !== undefined && !limiter.hit(rateLimitKey(factsOf(c).ip)).ok,
        noteProxyHeader,
        maxBody: o.maxBody,
        intake,
        fromRequest,
        factsOf,
        allowList,
        honeypotField,
        recordSkip: createFormSkips({
          logger,
          now,
          counters: intake.counters,
          byReason: intake.formSkippedByReason,
        }),
        storeFailed: lifecycle.storeFailed,
      }),
    ),
    landing: createLandingMiddleware(clickCookie, factsOf),
    stats: () => intake.stats(isStopping()),
    start: lifecycle.start,
    flush: () => dispatcher.flush(),
    drain: after.drain,
    scheduled: after.scheduled,
    signConversionId(id) {
      if (!o.signer) {
        throw new ConfigError(
          'signingSecret',
          'is required to sign conversion IDs: pass signingSecret (TWCLID_KIT_SIGNING_SECRET), a random string of at least 32 characters',
        );
      }
      return o.signer.sign(id);
    },
    resume: (account) => dispatcher.resume(account),
    shutdown: lifecycle.shutdown,
    store,
    dispatcher,
  };

  const kit = Object.assign(app, members) as TwclidKit;
  if (o.autoStart) {
    kit.start().catch((error: unknown) => {
      logger.log('error', 'dispatcher.start_failed', {
        error: error instanceof Error ? error.message : String(error),
      });
    });
  }
  return kit;
}
