/**
 * Turns a `ConversionInput` into the exact conversion object X's Conversion
 * API takes, or into a list of every problem, each named by its input field.
 * Rules are X's [REF12] [WC] (see docs/x-api.md §1); where X is silent the kit's
 * choice is written next to the code.
 */
import * as z from 'zod';
import { checkConversionId, checkConversionTime } from './conversion-checks.ts';
import { isCurrencyCode } from './currency.ts';
import { ValidationError } from './errors.ts';
import { type ParsedEventId, parseEventId } from './event-id.ts';
import { hashIdentifier } from './hash.ts';
import {
  type CountryCode,
  normalizeEmail,
  normalizeIp,
  normalizePhone,
  normalizeTwclid,
  normalizeUserAgent,
  type Twclid,
} from './normalize.ts';
import { pageUrl } from './page-url.ts';
import { serializeAmount } from './value.ts';
import type {
  CapiContent,
  CapiConversion,
  CapiIdentifier,
  ConversionInput,
  ValidationIssue,
} from './x-types.ts';

export interface BuildConversionOptions {
  /** The pixel the conversion will be sent to; a `tw-<pixel>-<event>` event ID must name it. */
  pixelId?: string;
  /** Country for phone numbers written without `+<country code>` (e.g. `US`). Default: none. */
  defaultCountry?: CountryCode;
  /**
   * Clock (epoch ms) for a missing `conversionTime`, and the one the time's
   * window is checked against (at most 90 days old, 1 hour ahead). Default: `Date.now`.
   */
  now?: () => number;
  /**
   * Query parameters of `eventSourceUrl` kept (a trailing `*` is a prefix:
   * `['utm_*']`); the rest of the query, the fragment and credentials are
   * dropped (page-url.ts). Default: none kept.
   */
  eventSourceUrlParams?: readonly string[];
}

export type BuildConversionResult =
  | { ok: true; conversion: CapiConversion }
  | { ok: false; issues: ValidationIssue[] };

// Empty and whitespace-only strings count as absent: optional form fields
// arrive as "" and must not fail (or count as) an identifier.
const optionalText = (what: string) => z.string({ error: `must be ${what}` }).nullish();
const numberOrText = z
  .union([z.number(), z.string()], { error: 'must be a number or a numeric string' })
  .nullish();
const positiveInteger = z
  .number({ error: 'must be a positive integer' })
  .int({ error: 'must be a positive integer' })
  .positive({ error: 'must be a positive integer' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'is too large' })
  .nullish();

const contentSchema = z.object(
  {
    contentId: optionalText('a string'),
    contentName: optionalText('a string'),
    contentType: optionalText('a string'),
    contentPrice: numberOrText,
    numItems: positiveInteger,
    contentGroupId: z
      .union([z.string(), z.number()], { error: 'must be a string or a number' })
      .nullish(),
  },
  { error: 'must be an object' },
);

const inputSchema = z.object(
  {
    eventId: z.string({ error: 'is required (a string such as "o87ne")' }),
    conversionId: optionalText('a string'),
    conversionTime: z
      .union([z.custom<Date>((v) => v instanceof Date), z.number(), z.string()], {
        error: 'must be a Date, epoch milliseconds or an ISO 8601 string',
      })
      .nullish(),
    twclid: optionalText('a string'),
    email: optionalText('a string'),
    phone: optionalText('a string'),
    ip: optionalText('a string'),
    userAgent: optionalText('a string'),
    value: numberOrText,
    currency: optionalText('a string'),
    numberItems: positiveInteger,
    description: optionalText('a string'),
    contents: z.array(contentSchema, { error: 'must be an array' }).nullish(),
    eventSourceUrl: optionalText('a string'),
  },
  { error: 'must be an object' },
);

/** `contents.2.numItems` → `contents[2].numItems`. */
function fieldName(path: readonly PropertyKey[]): string {
  let name = '';
  for (const part of path) {
    if (typeof part === 'number') name += `[${part}]`;
    else name += name === '' ? String(part) : `.${String(part)}`;
  }
  return name === '' ? 'input' : name;
}

function present(text: string | null | undefined): text is string {
  return typeof text === 'string' && text.trim() !== '';
}

/** The input as the shape check leaves it (`null` allowed where the input has `undefined`). */
type Shaped = z.output<typeof inputSchema>;
type Check<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * A conversion input whose event ID and click ID were already parsed at the
 * edge (the kit's JSON route): the event as `parseEventId` returned it, the
 * click as `normalizeTwclid` returned it. The other fields are typed values
 * (the route's wire parse checked their types); their rules are checked here.
 */
export interface CheckedConversionInput extends Omit<ConversionInput, 'twclid'> {
  event: { eventId: string; pixelId?: string };
  twclid?: Twclid | undefined;
}

/**
 * Validates and normalizes one conversion. Raw email and phone are normalized
 * and hashed here; the result holds hashes only.
 *
 * @example
 * const result = buildConversion(
 *   { eventId: 'tw-o8z6j-o87ne', conversionId: orderId, email: 'Ann@Example.com', value: '20.00', currency: 'USD' },
 *   { pixelId: 'o8z6j' },
 * );
 * if (!result.ok) console.error(result.issues); // [{ field: 'email', message: '…' }]
 */
export function buildConversion(
  input: ConversionInput,
  options: BuildConversionOptions = {},
): BuildConversionResult {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: shapeIssues(parsed.error) };
  const data = parsed.data;
  const twclid = present(data.twclid) ? normalizeTwclid(data.twclid) : undefined;
  return assemble(data, parseEventId(data.eventId), twclid, options);
}

/**
 * {@link buildConversion} for an input the caller already parsed: no shape
 * check, and the event ID and click ID are taken as given, not parsed again.
 */
export function buildCheckedConversion(
  input: CheckedConversionInput,
  options: BuildConversionOptions & {
    /** Check the other fields' types first (they came from app code, not from a parse). */
    checkShape?: boolean;
  } = {},
): BuildConversionResult {
  const { event, twclid, ...rest } = input;
  let data: Omit<Shaped, 'twclid'> = rest;
  if (options.checkShape) {
    const parsed = inputSchema.omit({ twclid: true }).safeParse(rest);
    if (!parsed.success) return { ok: false, issues: shapeIssues(parsed.error) };
    data = parsed.data;
  }
  const click = twclid === undefined ? undefined : ({ ok: true, value: twclid } as const);
  return assemble(data, { ok: true, ...event }, click, options);
}

function shapeIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({ field: fieldName(issue.path), message: issue.message }));
}

/** X's rules for one conversion, on a shape-checked input and its parsed event and click IDs. */
function assemble(
  data: Omit<Shaped, 'twclid'>,
  event: ParsedEventId,
  twclid: Check<string> | undefined,
  options: BuildConversionOptions,
): BuildConversionResult {
  const issues: ValidationIssue[] = [];
  const fail = (field: string, message: string) => issues.push({ field, message });

  if (!event.ok) fail('eventId', event.reason);
  else if (event.pixelId && options.pixelId && event.pixelId !== options.pixelId) {
    fail(
      'eventId',
      `names pixel "${event.pixelId}" but the conversion is sent to pixel "${options.pixelId}"`,
    );
  }

  const time = checkConversionTime(data.conversionTime, options.now ?? Date.now);
  if (!time.ok) fail('conversionTime', time.reason);

  const identifiers = identifiersOf(data, twclid, options, fail);
  const conversion: CapiConversion = {
    conversion_time: time.ok ? time.value : '',
    event_id: data.eventId.trim(),
    identifiers,
  };
  if (typeof data.conversionId === 'string') {
    const id = checkConversionId(data.conversionId);
    if (!id.ok) fail('conversionId', id.reason);
    else if (id.value !== undefined) conversion.conversion_id = id.value;
  }

  if (typeof data.value === 'number' || present(data.value)) {
    const value = serializeAmount(data.value);
    if (value.ok) conversion.value = value.value;
    else fail('value', value.reason);
  }
  if (present(data.currency)) {
    const currency = data.currency.trim().toUpperCase();
    if (isCurrencyCode(currency)) conversion.price_currency = currency;
    else fail('currency', 'must be an ISO 4217 currency code such as "USD"');
  }
  if (data.numberItems !== undefined && data.numberItems !== null) {
    const count = positiveCount(data.numberItems);
    if (count.ok) conversion.number_items = count.value;
    else fail('numberItems', count.reason);
  }
  if (present(data.description)) conversion.description = data.description.trim();
  if (present(data.eventSourceUrl)) {
    const url = pageUrl(data.eventSourceUrl, options.eventSourceUrlParams);
    if (url.ok) conversion.event_source_url = url.value;
    else fail('eventSourceUrl', url.reason);
  }
  if (data.contents && data.contents.length > 0) {
    conversion.contents = data.contents.map((content, index) => contentOf(content, index, fail));
  }

  return issues.length > 0 ? { ok: false, issues } : { ok: true, conversion };
}

/** A count (`numberItems`, `numItems`): the shape check's rule, for inputs that skipped it. */
function positiveCount(n: number): Check<number> {
  if (!Number.isInteger(n) || n <= 0) return { ok: false, reason: 'must be a positive integer' };
  if (n > Number.MAX_SAFE_INTEGER) return { ok: false, reason: 'is too large' };
  return { ok: true, value: n };
}

/** The identifiers, in X's example order; each is its own object [WC]. */
function identifiersOf(
  data: Omit<Shaped, 'twclid'>,
  twclid: Check<string> | undefined,
  options: BuildConversionOptions,
  fail: (field: string, message: string) => void,
): CapiIdentifier[] {
  const identifiers: CapiIdentifier[] = [];
  let strong = 0;
  let strongFailed = false;
  if (twclid) {
    if (twclid.ok) {
      identifiers.push({ twclid: twclid.value });
      strong++;
    } else {
      fail('twclid', twclid.reason);
      strongFailed = true;
    }
  }
  if (present(data.email)) {
    const email = normalizeEmail(data.email);
    if (email.ok) {
      identifiers.push({ hashed_email: hashIdentifier(email.value) });
      strong++;
    } else {
      fail('email', email.reason);
      strongFailed = true;
    }
  }
  if (present(data.phone)) {
    const phone = normalizePhone(data.phone, options.defaultCountry);
    if (phone.ok) {
      identifiers.push({ hashed_phone_number: hashIdentifier(phone.value) });
      strong++;
    } else {
      fail('phone', phone.reason);
      strongFailed = true;
    }
  }
  let weak = 0;
  if (present(data.ip)) {
    const ip = normalizeIp(data.ip);
    if (!ip.ok) fail('ip', ip.reason);
    // IPv6 is left out: X documents only dotted-decimal IPv4 [WC], and
    // sending an undocumented form risks failing the whole batch.
    else if (ip.family === 4) {
      identifiers.push({ ip_address: ip.value });
      weak++;
    }
  }
  if (present(data.userAgent)) {
    const userAgent = normalizeUserAgent(data.userAgent);
    if (userAgent.ok) {
      identifiers.push({ user_agent: userAgent.value });
      weak++;
    } else fail('userAgent', userAgent.reason);
  }
  // "At least one identifier such as twclid, email or phone. If using IP
  // address or user agent, a second identifier must be sent" [WC]: the safe
  // reading is that IP and user agent never stand alone, not even together.
  if (strong === 0 && !strongFailed) {
    fail(
      'identifiers',
      weak > 0
        ? 'ip and userAgent can only be sent with a twclid, email or phone'
        : 'at least one of twclid, email or phone is required',
    );
  }
  return identifiers;
}

function contentOf(
  content: NonNullable<Shaped['contents']>[number],
  index: number,
  fail: (field: string, message: string) => void,
): CapiContent {
  const out: CapiContent = {};
  if (present(content.contentId)) out.content_id = content.contentId.trim();
  if (present(content.contentName)) out.content_name = content.contentName.trim();
  if (present(content.contentType)) out.content_type = content.contentType.trim();
  if (content.contentPrice !== undefined && content.contentPrice !== null) {
    // X documents content_price as a number [REF12].
    const price = serializeAmount(content.contentPrice);
    if (price.ok) out.content_price = Number(price.value);
    else fail(`contents[${index}].contentPrice`, price.reason);
  }
  if (content.numItems !== undefined && content.numItems !== null) {
    const count = positiveCount(content.numItems);
    if (count.ok) out.num_items = count.value;
    else fail(`contents[${index}].numItems`, count.reason);
  }
  if (content.contentGroupId !== undefined && content.contentGroupId !== null) {
    const group = String(content.contentGroupId).trim();
    if (group !== '') out.content_group_id = group;
  }
  return out;
}

/** Like {@link buildConversion} but throws a `ValidationError` carrying every issue. */
export function buildConversionOrThrow(
  input: ConversionInput,
  options: BuildConversionOptions = {},
): CapiConversion {
  const result = buildConversion(input, options);
  if (!result.ok) throw new ValidationError(result.issues);
  return result.conversion;
}

/** Checks a batch of built conversions against X's request rules (validate-batch.ts). */
export { validateBatch } from './validate-batch.ts';
