/**
 * `kit.sendConversion(c, input)` (flow C): app code enqueues a conversion for
 * the visitor of request `c`. This is a public boundary, so bad input throws
 * `ValidationError` as documented; the layers below return results.
 */
import type { Context } from 'hono';
import { TwclidKitError, ValidationError } from '../errors.ts';
import { parseEventId } from '../event-id.ts';
import type { EventAllowList } from '../safety/event-allow-list.ts';
import type { FromRequest, Intake } from './intake.ts';
import type { FactsOf } from './request-facts.ts';
import type { ConversionResult, SendConversionInput } from './types.ts';

export interface SendConversionOptions {
  isStopping: () => boolean;
  allowList: EventAllowList;
  factsOf: FactsOf;
  intake: Intake;
  fromRequest: FromRequest;
}

/** Creates `kit.sendConversion`: `twclid`, IP and user agent default to the request's. */
export function createSendConversion(
  options: SendConversionOptions,
): (c: Context, input: SendConversionInput) => Promise<ConversionResult> {
  const { isStopping, allowList, factsOf, intake, fromRequest } = options;
  return async function sendConversion(c, input) {
    if (isStopping()) {
      throw new TwclidKitError('twclidKit is shutting down; the conversion was not stored');
    }
    // Plain-JavaScript callers get the same errors as typed ones, never a TypeError.
    if (typeof input !== 'object' || input === null) {
      throw new ValidationError([{ field: 'input', message: 'must be an object' }]);
    }
    if (typeof input.eventId !== 'string') {
      throw new ValidationError([{ field: 'eventId', message: 'is required (a string)' }]);
    }
    const event = parseEventId(input.eventId);
    if (!event.ok || !allowList.allows(event)) {
      throw new ValidationError([{ field: 'eventId', message: "is not one of the kit's events" }]);
    }
    if (factsOf(c).gpc) {
      intake.counters.suppressed++;
      return { status: 'suppressed', reason: 'gpc' };
    }
    // The kit's twclid policy (fromRequest): an invalid one is a ValidationError
    // naming the field, as for the app's other fields; a missing or blank one
    // falls back to c.var.twclid and the click cookie.
    const completed = fromRequest(c, { ...input, event });
    if (!completed.ok) throw new ValidationError(completed.issues);
    const accepted = await intake.accept(completed.input, { checkShape: true });
    if (!accepted.ok) throw new ValidationError(accepted.issues);
    return accepted.result;
  };
}
