import { clearClick, cookieDomain, keepMirror, readClick, saveClick } from './click-store.ts';
import {
  CAPTURE_PATH,
  CLICK_DAYS_DEFAULT,
  type StoredClick,
  TWCLID_PARAM,
  TWCLID_PATTERN,
  type WireCapture,
  type WireContent,
  type WireEvent,
} from './contract.ts';
import { newConversionId } from './conversion-id.ts';
import { watchForms } from './forms.ts';
import type { KitOptions } from './options.ts';
import { eventTag, loadPixel, PIXEL_SRC_DEFAULT, twq } from './pixel.ts';
import { safe } from './safe.ts';
import { sendJson } from './send.ts';

/** Parameters of `track()`: the wire's names (`email`, `phone`) or the Pixel's. */
export interface TrackParams {
  value?: number | string;
  currency?: string;
  /** Raw email; the Pixel and the server hash it. Alias: `email_address`. */
  email?: string;
  email_address?: string;
  /** Raw phone; the Pixel and the server normalize and hash it. Alias: `phone_number`. */
  phone?: string;
  phone_number?: string;
  contents?: WireContent[];
  number_items?: number;
  description?: string;
  /**
   * The dedup key shared by the Pixel and the server; minted (a random UUID) when absent.
   * An ID of the app's own, such as an order number, needs `conversion_sig` too.
   */
  conversion_id?: string;
  /**
   * The server's signature of an own `conversion_id` (`kit.signConversionId()` on the
   * server), which the events endpoint requires for any ID that is not a random UUID.
   * Sent to the endpoint only, never to the Pixel.
   */
  conversion_sig?: string;
  [param: string]: unknown;
}

/** The API `init()` returns; the IIFE exposes it as `window.twclidKit`. */
export interface TwclidKit {
  /** Fires the Pixel event and sends the same event to the endpoint; returns its conversion_id. */
  track(eventId: string, params?: TrackParams): string;
  /** Consent given: store the landing click, load the Pixel, send events from now on. */
  grantConsent(): void;
  /** Consent withdrawn: delete the stored click (cookie and mirror), send nothing more. */
  revokeConsent(): void;
  /** The stored click, when there is one and storing is allowed. */
  getClick(): StoredClick | undefined;
  /** A fresh conversion_id. */
  newConversionId(): string;
}

/** `/tw/events` → `/tw/capture`: the capture call lives beside the events route. */
export const captureUrl = (endpoint: string): string =>
  // The literal is EVENTS_PATH (a RegExp built from it costs bytes in the script).
  endpoint.replace(/(\/events)?\/?$/, CAPTURE_PATH);

/**
 * Starts the script: captures `twclid` from the URL now and on single-page-app
 * navigations, decorates `data-tw-event` forms, and returns the API. Call it
 * once per page. Without a `document` (server-side rendering) it starts nothing
 * and returns an inert API. It never throws into the host page.
 *
 * @example
 * const kit = init({ pixelId: 'o8z6j', endpoint: '/tw/events' });
 * kit.track('o87ne', { value: 20, currency: 'USD', email });
 */
export function init(o: KitOptions = {}): TwclidKit {
  const days = (o.cookieDays as number) > 0 ? (o.cookieDays as number) : CLICK_DAYS_DEFAULT;
  const capture = o.endpoint && o.capture !== false;
  const dom = typeof document === 'object';
  // Global Privacy Control is an opt-out that no later call overrides.
  const gpc = dom && (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl;
  let allowed = dom && !gpc && o.consent !== 'required';
  let landed: string | undefined;
  let page: string | undefined;

  const click = () => (allowed ? readClick(days) : undefined);

  // The JSON round trip drops undefined keys, so uwt.js never sees `email_address: undefined`.
  const pixel = (eventId: string, params: object) =>
    twq()('event', eventTag(o.pixelId, eventId), JSON.parse(JSON.stringify(params)));

  /**
   * On load and navigation: a new twclid in the URL wins over the stored one
   * (last click wins). Pages without one touch no storage here.
   */
  const onPage = safe(() => {
    const id = new URLSearchParams(location.search).get(TWCLID_PARAM);
    const fresh = id && TWCLID_PATTERN.test(id);
    if (fresh) landed = id;
    if (!allowed) return;
    const stored = landed ? click() : undefined;
    if (landed && landed !== stored?.twclid) {
      saveClick({ twclid: landed, clickedAt: Date.now() }, days);
      // Let the server re-set the cookie with Set-Cookie (Safari caps script-set cookies at 24 h),
      // on the same domain, so it replaces this cookie rather than adding a host-only twin.
      // The URL is derived here, not at load: only a new click needs it.
      if (capture)
        sendJson(o.captureEndpoint || captureUrl(o.endpoint as string), {
          twclid: landed,
          domain: cookieDomain() || undefined,
        } satisfies WireCapture);
    } else if (fresh && stored) keepMirror(stored);
    if (o.loadPixel && o.pixelId && page !== location.href) {
      if (!page) loadPixel(o.pixelSrc || PIXEL_SRC_DEFAULT);
      // `config` counts a page view; a single-page app calls it again per route (X's base-code docs).
      twq()('config', o.pixelId);
      page = location.href;
    }
  });

  if (dom)
    safe(() => {
      onPage();
      for (const k of ['pushState', 'replaceState'] as const) {
        const original = history[k];
        history[k] = function (this: History, ...args: Parameters<History['pushState']>) {
          original.apply(this, args);
          onPage();
        };
      }
      addEventListener('popstate', onPage);
      const decorate = watchForms(
        o,
        () => click()?.twclid || '',
        (eventId, params) => allowed && pixel(eventId, params),
      );
      // A landing stores its click now and decorates at once. Elsewhere the one
      // thing to check, a cookie Safari deleted (restored from the mirror before
      // a server-side conversion needs it), and the form decoration wait for
      // idle time: the submit listener fills the fields anyway. Either way the
      // click is read once: on a landing it is the landed one by now.
      if (landed) decorate(allowed ? landed : '');
      else
        (window.requestIdleCallback || (setTimeout as never as typeof requestIdleCallback))(
          safe(() => decorate(click()?.twclid || '')),
          // At most this long on a busy page.
          { timeout: 2e3 },
        );
    })();

  return {
    track(eventId, params = {}) {
      const { email, email_address, phone, phone_number, conversion_sig, ...rest } = params;
      const conversion_id = rest.conversion_id || newConversionId();
      safe(() => {
        if (!allowed) return;
        const mail = email ?? email_address;
        const tel = phone ?? phone_number;
        pixel(eventId, { ...rest, conversion_id, email_address: mail, phone_number: tel });
        if (o.endpoint)
          sendJson(o.endpoint, {
            ...rest,
            event_id: eventTag(o.pixelId, eventId),
            conversion_id,
            conversion_sig,
            twclid: click()?.twclid,
            email: mail,
            phone: tel,
            event_source_url: location.href,
            conversion_time: new Date().toISOString(),
          } satisfies WireEvent);
      })();
      return conversion_id;
    },
    grantConsent: safe(() => {
      allowed = dom && !gpc;
      onPage();
    }),
    revokeConsent: safe(() => {
      allowed = false;
      if (dom) clearClick();
    }),
    getClick: safe(click),
    newConversionId: () => newConversionId(),
  } as TwclidKit;
}
