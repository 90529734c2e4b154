/**
 * `POST <mount>/events` (flow B): the JSON event the browser script posts, as
 * `application/json` or as `text/plain` from `sendBeacon`. 202
 * `{ conversion_id }` once stored; `{ suppressed: true }` under GPC, an
 * opt-out or a filled honeypot.
 *
 * The route is public and unauthenticated (docs/product.md, "Safety (the
 * server)", Trust): it takes a `conversion_id` only when nobody else can have
 * chosen it first (a random UUID, or the app's own ID with the server's
 * signature, `conversion-sig.ts`), stores its events as browser copies, which a
 * server copy with the same key outranks, and answers a repeated post exactly
 * like the first, so no one learns which keys exist.
 */
import type { Handler } from 'hono';
import { parseEventId } from '../event-id.ts';
import type { EventAllowList } from '../safety/event-allow-list.ts';
import { reject } from '../safety/reject.ts';
import { parseWireEvent } from '../wire-event.ts';
import type { BodyReader } from './body.ts';
import type { BrowserBacklog } from './browser-backlog.ts';
import {
  type ConversionSigner,
  trustsConversionId,
  UNTRUSTED_CONVERSION_ID,
} from './conversion-sig.ts';
import type { EndpointGuard } from './guards.ts';
import type { FromRequest, Intake } from './intake.ts';
import type { FactsOf } from './request-facts.ts';
import type { Responses } from './responses.ts';
import type { TwclidEnv } from './types.ts';

export interface EventsRouteOptions {
  guard: EndpointGuard;
  body: BodyReader;
  responses: Responses;
  intake: Intake;
  fromRequest: FromRequest;
  factsOf: FactsOf;
  allowList: EventAllowList;
  /** A body field that humans leave empty; filled, the event is dropped as spam. Default: off. */
  honeypotField: string | undefined;
  /** Verifies `conversion_sig` (the kit's `signingSecret`); without one only random UUIDs pass. */
  signer: ConversionSigner | undefined;
  /** The bound on undelivered browser events: past it, 503 `backlog_full` (browser-backlog.ts). */
  backlog?: BrowserBacklog;
}

/** Whether the honeypot field of a JSON body is filled (a bot filled every field). */
function trapped(body: unknown, field: string | undefined): boolean {
  if (field === undefined) return false;
  const trap = (body as Record<string, unknown> | null)?.[field];
  return trap !== undefined && trap !== null && trap !== '';
}

/** Creates the events route handler. */
export function createEventsRoute(options: EventsRouteOptions): Handler<TwclidEnv> {
  const { guard, body, responses, intake, fromRequest, factsOf, allowList, honeypotField, signer } =
    options;
  const { backlog } = options;
  return async function twclidEvents(c) {
    const refused = guard(c, 'This origin may not post events');
    if (refused) return refused;
    const response = await body.withBodyLimit(c, async () => {
      const read = await body.readJson(c);
      if (!read.ok) return read.response;
      if (trapped(read.body, honeypotField)) {
        intake.counters.spam++;
        return c.json({ suppressed: true }, 202);
      }
      const parsed = parseWireEvent(read.body);
      if (!parsed.ok) return responses.issues(c, parsed.issues, false);
      if (!trustsConversionId(parsed.input.conversionId ?? '', parsed.conversionSig, signer)) {
        return responses.issues(
          c,
          [{ field: 'conversion_id', message: UNTRUSTED_CONVERSION_ID }],
          false,
        );
      }
      // The event ID is parsed here once; the allow-list and buildConversion take it as parsed.
      const event = parseEventId(parsed.input.eventId);
      if (!event.ok || !allowList.allows(event)) {
        return responses.refuse(
          c,
          400,
          'event_not_allowed',
          "event_id is not one of this site's events",
          'event_id',
        );
      }
      if (factsOf(c).gpc || parsed.optOut) {
        intake.counters.suppressed++;
        return c.json({ suppressed: true }, 202);
      }
      // The kit's twclid policy (fromRequest): an invalid one is a 400 naming the
      // field. Checked after GPC and opt-out, which suppress the event whatever it holds.
      const completed = fromRequest(c, { ...parsed.input, event });
      if (!completed.ok) return responses.issues(c, completed.issues, false);
      // Checked once the post is valid, so bad input still gets its 400.
      if (backlog && (await backlog.full())) return backlog.refuse(c);
      const accepted = await intake.accept(completed.input, { origin: 'browser' });
      if (!accepted.ok) return responses.issues(c, accepted.issues, true);
      if (!accepted.result.duplicate) backlog?.added();
      // Never `duplicate`: whether a key exists is the merchant's business only.
      return c.json({ conversion_id: accepted.result.conversionId }, 202);
    });
    return response ?? reject(c, 500, 'internal_error', 'No response');
  };
}
