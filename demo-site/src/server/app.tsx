/**
 * The demo shop: a Hono app that mounts twclid-kit the way an existing app
 * would. Read it top to bottom as the "use it in your app" example:
 *
 * 1. `app.route('/tw', kit)` serves the script's endpoints (`/tw/events`, `/tw/capture`).
 * 2. `kit.landing()` refreshes the click cookie with `Set-Cookie` on `?twclid=` landings.
 * 3. Flow A: `kit.form({ eventId })` in front of the shop's own form handler.
 * 4. Flow B needs no server code: the page's `twclidKit.track()` posts to `/tw/events`.
 * 5. Flow C: after a payment succeeds the handler calls `kit.sendConversion(c, {...})`.
 */
import { serveStatic } from '@hono/node-server/serve-static';
import { CLICK_COOKIE, decodeClick } from '@twclid-kit/browser/contract';
import type { TwclidEnv, TwclidKit } from '@twclid-kit/server';
import { type Context, Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { validator } from 'hono/validator';
import { ClubPage } from '../pages/club.tsx';
import { DashboardPage, DashboardPanels } from '../pages/dashboard.tsx';
import { HomePage } from '../pages/home.tsx';
import { NotFoundPage } from '../pages/not-found.tsx';
import { ProductPage } from '../pages/product.tsx';
import type { SiteConfig } from '../pages/site.ts';
import { ThankYouPage } from '../pages/thank-you.tsx';
import { WholesalePage } from '../pages/wholesale.tsx';
import { CLUB_PRICE, CURRENCY, GRINDER, PRODUCTS } from './catalog.ts';
import { newClickId } from './click-id.ts';
import { chargeCard } from './club-payment.ts';
import type { DashboardSource } from './dashboard-source.ts';
import type { EmulatorClient } from './emulator-client.ts';
import { badRequest, CheckoutForm, ClubJoin, FaultSwitch } from './input.ts';
import { newOrderId } from './order-id.ts';

export interface DemoAppOptions {
  site: SiteConfig;
  /** The kit, created with `twclidKit({...})`. */
  kit: TwclidKit;
  /** Feeds the dashboard. */
  dashboard: DashboardSource;
  /** The emulator, for the dashboard's fault switch. */
  emulator?: EmulatorClient;
  /** Built assets: the demo's Vite output folder and the kit's IIFE file. */
  assets?: { dir: string; kitScript: string };
}

const THANKS: Record<string, string> = {
  shop: 'Your Lumen Burr Grinder is on its way. We sent the receipt to your email.',
  club: 'Welcome to the Coffee Club. Your first bag ships on Monday.',
};

/** What the checkout form's order is worth to X: the product line, priced on the server. */
function orderDetails(body: Record<string, unknown>) {
  const product = PRODUCTS[String(body.sku)];
  const quantity = Number(body.quantity) || 1;
  if (!product) return {};
  return {
    // Money as a two-decimal string, as in X's own example ("20.00").
    value: (product.price * quantity).toFixed(2),
    currency: CURRENCY,
    numberItems: quantity,
    contents: [
      {
        contentId: product.sku,
        contentName: product.name,
        contentPrice: product.price,
        numItems: quantity,
      },
    ],
  };
}

/** The visitor's stored click, with its time, for the dashboard. */
const storedClick = (c: Context) => decodeClick(getCookie(c, CLICK_COOKIE));

export function createDemoApp({ site, kit, dashboard, emulator, assets }: DemoAppOptions) {
  const app = new Hono<TwclidEnv>();

  // The kit's own routes, called by the <script>: /tw/events, /tw/capture, /tw/health.
  app.route(site.kitMount, kit);

  if (assets) {
    app.get('/assets/twclid.iife.js', serveStatic({ path: assets.kitScript }));
    app.use(
      '/assets/*',
      serveStatic({
        root: assets.dir,
        rewriteRequestPath: (path) => path.replace(/^\/assets/, ''),
      }),
    );
  }

  // Every page: a `?twclid=` landing gets the click cookie from the server (Safari keeps
  // server-set cookies longer than script-set ones), and `c.var.twclid` holds the click.
  app.use('*', kit.landing());

  // The demo's own JSON endpoints take same-origin posts only (a cross-site form could
  // otherwise post text/plain JSON without a preflight).
  app.use('/api/*', csrf());

  app.get('/', (c) => c.html(<HomePage site={site} twclid={c.var.twclid} />));

  // "Simulate an ad click": X sends visitors to the landing page with a fresh ?twclid=.
  app.get('/ad-click', (c) => c.redirect(`/?twclid=${newClickId()}`, 302));

  // ---------------------------------------------------------------- flow A: form post
  app.get('/shop/grinder', (c) =>
    c.html(<ProductPage site={site} twclid={c.var.twclid} product={GRINDER} />),
  );

  app.post(
    '/checkout',
    // Cross-site posts are refused here: kit.form() only declines to convert them, it
    // never answers a checkout itself.
    csrf(),
    // The shop's own validation goes first, so a rejected order never reaches X.
    validator('form', (body, c) => {
      const parsed = CheckoutForm.safeParse(body);
      return parsed.success ? parsed.data : badRequest(c, parsed.error.issues[0]);
    }),
    // Reads twclid, conversion_id, email and phone from the post, IP and user agent
    // from the request, and stores the CAPI conversion before the handler runs.
    kit.form({
      eventId: site.events.purchase,
      map: orderDetails,
    }),
    // The shop's own handler, unchanged by the kit (a real shop stores c.req.valid('form') here).
    (c) => c.redirect(`/thank-you?flow=shop&order=${newOrderId()}`, 303),
  );

  // ---------------------------------------------------------------- flow B: JavaScript
  app.get('/wholesale', (c) => c.html(<WholesalePage site={site} twclid={c.var.twclid} />));

  // ---------------------------------------------------------------- flow C: server-side
  app.get('/club', (c) =>
    c.html(<ClubPage site={site} twclid={c.var.twclid} price={CLUB_PRICE} />),
  );

  app.post('/api/club/join', async (c) => {
    const parsed = ClubJoin.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return badRequest(c, parsed.error.issues[0]);
    const { email, card, conversion_id } = parsed.data;
    const payment = chargeCard(card);
    if (!payment.ok) {
      return c.json(
        { error: { code: 'card_declined', message: payment.reason, field: 'card' } },
        402,
      );
    }
    // Paid: tell X, with the conversion_id the page is about to give the Pixel.
    // twclid comes from the click cookie, IP and user agent from this request.
    await kit.sendConversion(c, {
      eventId: site.events.signup,
      conversionId: conversion_id,
      email,
      value: CLUB_PRICE.toFixed(2),
      currency: CURRENCY,
      description: 'Coffee Club membership',
    });
    const order = newOrderId();
    return c.json({ order, next: `/thank-you?flow=club&order=${order}` });
  });

  app.get('/thank-you', (c) => {
    const flow = c.req.query('flow') ?? '';
    const order = c.req.query('order');
    const safeOrder = order && /^LUM-[A-Z0-9]{6}$/.test(order) ? order : undefined;
    return c.html(
      <ThankYouPage
        site={site}
        twclid={c.var.twclid}
        summary={THANKS[flow] ?? 'Thanks, we got your request.'}
        order={safeOrder}
      />,
    );
  });

  // ---------------------------------------------------------------- dashboard
  app.get('/dashboard', async (c) =>
    c.html(
      <DashboardPage
        site={site}
        twclid={c.var.twclid}
        view={await dashboard.view(storedClick(c))}
      />,
    ),
  );
  app.get('/dashboard/live', async (c) =>
    c.html(<DashboardPanels view={await dashboard.view(storedClick(c))} />),
  );
  app.get('/api/dashboard', async (c) => c.json(await dashboard.view(storedClick(c))));

  app.post('/api/faults', async (c) => {
    if (!emulator) {
      return c.json(
        {
          error: { code: 'no_emulator', message: 'Faults can only be injected into the emulator' },
        },
        404,
      );
    }
    const parsed = FaultSwitch.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return badRequest(c, parsed.error.issues[0]);
    const faults = await emulator.setFaults({ serverErrorRate: parsed.data.serverErrorRate });
    return c.json({ serverErrorRate: faults.serverErrorRate });
  });

  app.notFound((c) => c.html(<NotFoundPage site={site} twclid={c.var.twclid} />, 404));

  return app;
}
