/**
 * `kit.form(options)` (flow A): middleware in front of the app's own form
 * handler. It turns an HTML form post into a conversion and puts what happened
 * in `c.var.conversion`; the app's handler runs after it and can still read
 * the body (Hono caches it).
 */
import {
  CONVERSION_ID_FIELD,
  EMAIL_FIELD,
  OPT_OUT_FIELD,
  PHONE_FIELD,
  TWCLID_FIELD,
} from '@twclid-kit/browser/contract';
import type { Context, MiddlewareHandler } from 'hono';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { ConfigError } from '../errors.ts';
import { parseEventId } from '../event-id.ts';
import type { EventAllowList } from '../safety/event-allow-list.ts';
import type { OriginCheck } from '../safety/origin.ts';
import type { Logger, ValidationIssue } from '../x-types.ts';
import type { BodyReader } from './body.ts';
import type { RateLimitCheck } from './guards.ts';
import type { FromRequest, Intake, KitConversionInput } from './intake.ts';
import type { FactsOf } from './request-facts.ts';
import type { Responses } from './responses.ts';
import { checkTwclid } from './twclid.ts';
import type { ConversionResult, FormOptions, TwclidEnv } from './types.ts';

const TRUTHY = new Set(['1', 'true', 'on', 'yes']);
const FORM_TYPE = /^(application\/x-www-form-urlencoded|multipart\/form-data)/i;

export interface FormMiddlewareOptions {
  isStopping: () => boolean;
  originAllowed: OriginCheck;
  rateLimited: RateLimitCheck;
  body: BodyReader;
  responses: Responses;
  intake: Intake;
  fromRequest: FromRequest;
  factsOf: FactsOf;
  allowList: EventAllowList;
  /** A form field that humans leave empty; filled, the conversion is dropped as spam. Default: off. */
  honeypotField: string | undefined;
  logger: Logger;
}

/** A form field's first non-blank string value (a repeated field arrives as an array). */
function field(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first.trim() !== '' ? first : undefined;
}

/**
 * Creates `kit.form`: each call checks its `eventId` against the kit's events
 * (a `ConfigError` at start-up) and resolves its field names once.
 */
export function createFormMiddleware(
  options: FormMiddlewareOptions,
): (formOptions: FormOptions) => MiddlewareHandler<TwclidEnv> {
  const { isStopping, originAllowed, rateLimited, body, responses } = options;
  const csrfCheck = csrf({
    origin: (_origin, c) => originAllowed(c),
    secFetchSite: 'same-origin',
  });

  /** Runs Hono's CSRF check; `true` when the post is cross-site and refused. */
  const crossSite = async (c: Context): Promise<boolean> => {
    try {
      await csrfCheck(c, async () => {});
      return false;
    } catch (error) {
      if (!(error instanceof HTTPException)) throw error;
      return true;
    }
  };

  return function form(formOptions) {
    const convert = formConversion(options, formOptions);
    return async function twclidForm(c, next) {
      const type = c.req.header('content-type') ?? '';
      if (c.req.method !== 'POST' || !FORM_TYPE.test(type)) return next();
      if (isStopping()) return responses.stopping(c);
      if (await crossSite(c)) {
        return responses.refuse(
          c,
          403,
          'origin_not_allowed',
          'Cross-site form posts are not accepted',
          'origin',
        );
      }
      const limited = rateLimited(c);
      if (limited) return limited;
      const response = await body.withBodyLimit(c, async () => {
        // Hono caches the parsed body, so the app's handler can call parseBody() again.
        let parsed: Record<string, unknown>;
        try {
          parsed = (await c.req.parseBody()) as Record<string, unknown>;
        } catch {
          // A multipart body without its boundary, or cut short: nobody can read it.
          return responses.refuse(
            c,
            400,
            'malformed_form',
            'The form body could not be parsed',
            'body',
          );
        }
        c.set('conversion', await convert(c, parsed));
        return undefined;
      });
      if (response) return response;
      await next();
    };
  };
}

/** The conversion of one form's posts: resolves the form's event and field names once. */
function formConversion(
  options: FormMiddlewareOptions,
  formOptions: FormOptions,
): (c: Context<TwclidEnv>, body: Record<string, unknown>) => Promise<ConversionResult> {
  const { intake, fromRequest, factsOf, honeypotField, logger } = options;
  const eventId = options.allowList.match(formOptions.eventId);
  if (!eventId) {
    throw new ConfigError('eventId', `"${formOptions.eventId}" is not in the kit's events`);
  }
  const f = {
    twclid: formOptions.fields?.twclid ?? TWCLID_FIELD,
    conversionId: formOptions.fields?.conversionId ?? CONVERSION_ID_FIELD,
    email: formOptions.fields?.email ?? EMAIL_FIELD,
    phone: formOptions.fields?.phone ?? PHONE_FIELD,
    optOut: formOptions.fields?.optOut ?? OPT_OUT_FIELD,
  };
  // Parsed once here; every post of this form reuses it.
  const event = parseEventId(eventId);
  if (!event.ok) throw new ConfigError('eventId', `"${formOptions.eventId}" ${event.reason}`);
  const invalid = (issues: ValidationIssue[]): ConversionResult => {
    // The visitor's form post goes on; the conversion is logged by field name only.
    logger.log('warn', 'form.invalid', { eventId, fields: issues.map((i) => i.field) });
    return { status: 'invalid', issues };
  };

  return async function convert(c, body) {
    if (honeypotField !== undefined && field(body, honeypotField) !== undefined) {
      intake.counters.spam++;
      return { status: 'spam' };
    }
    // The kit's twclid policy (fromRequest): the hidden field's click, else one
    // from `map`, else c.var.twclid or the cookie; an invalid one makes the
    // conversion `invalid` (logged by field name) while the visitor's post goes
    // on. A valid field is put in c.var.twclid for the app's handler.
    const fromField = field(body, f.twclid);
    const fieldClick = checkTwclid(fromField);
    if (fieldClick.ok && fieldClick.twclid !== undefined) c.set('twclid', fieldClick.twclid);
    const optOut = field(body, f.optOut);
    const gpc = factsOf(c).gpc;
    if (gpc || (optOut !== undefined && TRUTHY.has(optOut.toLowerCase()))) {
      intake.counters.suppressed++;
      return { status: 'suppressed', reason: gpc ? 'gpc' : 'opt_out' };
    }
    const { twclid: mappedTwclid, ...mapped } = formOptions.map?.(body, c) ?? {};
    // An eventId from `map` is the app's own choice, parsed like the form's.
    const mappedEvent = mapped.eventId === undefined ? event : parseEventId(String(mapped.eventId));
    if (!mappedEvent.ok) return invalid([{ field: 'eventId', message: mappedEvent.reason }]);
    const input: KitConversionInput = { eventId, ...mapped, event: mappedEvent };
    const conversionId = field(body, f.conversionId);
    if (conversionId !== undefined) input.conversionId = conversionId.trim();
    const email = field(body, f.email);
    if (email !== undefined) input.email = email;
    const phone = field(body, f.phone);
    if (phone !== undefined) input.phone = phone;
    const twclid = fromField ?? mappedTwclid;
    if (twclid !== undefined) input.twclid = twclid;
    const referer = c.req.header('referer');
    if (referer !== undefined && input.eventSourceUrl === undefined) input.eventSourceUrl = referer;
    const completed = fromRequest(c, input);
    if (!completed.ok) return invalid(completed.issues);
    const accepted = await intake.accept(completed.input, { checkShape: true });
    if (accepted.ok) return accepted.result;
    return invalid(accepted.issues);
  };
}
