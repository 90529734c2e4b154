/**
 * `kit.form(options)` (flow A): middleware in front of the app's own form
 * handler. It turns an HTML form post into a conversion and puts what happened
 * in `c.var.conversion`; the app's handler runs after it and can still read
 * the body (form-body.ts).
 *
 * It fails open (docs/product.md, "Safety (the server)": the kit never breaks
 * the application's own form handler): whatever goes wrong on the kit's side
 * (a body it cannot or will not read, a cross-site post, shutdown, invalid
 * data, a store that cannot write, a bug) skips the conversion, records why
 * (form-skips.ts) and calls `next()`. It never answers the post itself.
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
import { ConfigError, isStoreUnavailableError, type StoreUnavailableError } from '../errors.ts';
import { parseEventId } from '../event-id.ts';
import { pageUrl } from '../page-url.ts';
import type { EventAllowList } from '../safety/event-allow-list.ts';
import type { OriginCheck } from '../safety/origin.ts';
import type { ProxyHeaderCheck } from '../safety/proxy-warning.ts';
import type { ValidationIssue } from '../x-types.ts';
import { readFormBody } from './form-body.ts';
import type { RecordSkip } from './form-skips.ts';
import type { FromRequest, Intake, KitConversionInput } from './intake.ts';
import type { FactsOf } from './request-facts.ts';
import { checkTwclid } from './twclid.ts';
import type { ConversionResult, FormOptions, FormSkipReason, TwclidEnv } from './types.ts';

const TRUTHY = new Set(['1', 'true', 'on', 'yes']);
const FORM_TYPE = /^(application\/x-www-form-urlencoded|multipart\/form-data)/i;

export interface FormMiddlewareOptions {
  isStopping: () => boolean;
  originAllowed: OriginCheck;
  /** `true` when the request's address is over the kit's per-IP limit (counts the request). */
  ipLimited: (c: Context) => boolean;
  /** Sees every post, to warn once about an untrusted `X-Forwarded-For`. */
  noteProxyHeader: ProxyHeaderCheck;
  /** Request body limit in bytes (`bodyLimit`). */
  maxBody: number;
  intake: Intake;
  fromRequest: FromRequest;
  factsOf: FactsOf;
  allowList: EventAllowList;
  /** A form field that humans leave empty; filled, the conversion is dropped as spam. Default: off. */
  honeypotField: string | undefined;
  /** Counts and logs a skipped conversion. */
  recordSkip: RecordSkip;
  /** A store that could not take the conversion, for `/health` (lifecycle.ts). */
  storeFailed: (error: StoreUnavailableError) => void;
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
  const { isStopping, originAllowed, ipLimited, noteProxyHeader, maxBody } = options;
  const { recordSkip, storeFailed } = options;
  const csrfCheck = csrf({
    origin: (_origin, c) => originAllowed(c),
    secFetchSite: 'same-origin',
  });

  /** Runs Hono's CSRF check; `true` when the post is cross-site. */
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
    const { eventId, convert } = formConversion(options, formOptions);
    const limited = formOptions.ipRateLimit === true;
    const skip = (reason: FormSkipReason, detail: Record<string, unknown> = {}) => {
      recordSkip(reason, { eventId, ...detail });
      return { status: 'skipped', reason } as const;
    };

    /** The conversion of one post, or why there is none; never throws. */
    async function attempt(c: Context<TwclidEnv>): Promise<ConversionResult> {
      try {
        noteProxyHeader(c);
        if (isStopping()) return skip('stopping');
        // Refusing a cross-site post is the app's csrf(); the kit only keeps
        // such a post from becoming a conversion.
        if (await crossSite(c)) return skip('cross_site');
        if (limited && ipLimited(c)) return skip('rate_limited');
        const read = await readFormBody(c, maxBody);
        if (!read.ok) return skip(read.reason);
        const result = await convert(c, read.body);
        // Logged by field name only: the values are the visitor's.
        if (result.status === 'invalid') {
          recordSkip('invalid', { eventId, fields: result.issues.map((i) => i.field) });
        } else if (result.status === 'skipped') recordSkip(result.reason, { eventId });
        return result;
      } catch (error) {
        if (isStoreUnavailableError(error)) {
          storeFailed(error);
          return skip('store_unavailable');
        }
        // The error's name only: a message (from `map`, say) may quote the body.
        return skip('error', { error: error instanceof Error ? error.name : typeof error });
      }
    }

    return async function twclidForm(c, next) {
      const type = c.req.header('content-type') ?? '';
      if (c.req.method !== 'POST' || !FORM_TYPE.test(type)) return next();
      c.set('conversion', await attempt(c));
      await next();
    };
  };
}

/** The conversion of one form's posts: resolves the form's event and field names once. */
function formConversion(
  options: FormMiddlewareOptions,
  formOptions: FormOptions,
): {
  eventId: string;
  convert: (c: Context<TwclidEnv>, body: Record<string, unknown>) => Promise<ConversionResult>;
} {
  const { intake, fromRequest, factsOf, honeypotField } = options;
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
  const invalid = (issues: ValidationIssue[]): ConversionResult => ({ status: 'invalid', issues });

  const convert = async (
    c: Context<TwclidEnv>,
    body: Record<string, unknown>,
  ): Promise<ConversionResult> => {
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
    if (!options.allowList.allows(mappedEvent)) {
      return { status: 'skipped', reason: 'event_not_allowed' };
    }
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
    // A Referer that is no http(s) page is left out, not a reason to lose the
    // conversion; its query and fragment are dropped when it is built (page-url.ts).
    if (referer !== undefined && input.eventSourceUrl === undefined && pageUrl(referer).ok) {
      input.eventSourceUrl = referer;
    }
    const completed = fromRequest(c, input);
    if (!completed.ok) return invalid(completed.issues);
    const accepted = await intake.accept(completed.input, { checkShape: true });
    if (accepted.ok) return accepted.result;
    return invalid(accepted.issues);
  };
  return { eventId, convert };
}
