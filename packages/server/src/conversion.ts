/**
 * Turns a `ConversionInput` into the exact conversion object X's Conversion
 * API takes, or into a list of every problem, each named by its input field.
 * Rules are X's [REF12] [WC] (see docs/x-api.md §1); where X is silent the kit's
 * choice is written next to the code.
 */
import * as z from 'zod';
import { isCurrencyCode } from './currency.ts';
import { ValidationError } from './errors.ts';
import { parseEventId } from './event-id.ts';
import { hashIdentifier, isSha256Hex } from './hash.ts';
import {
  type CountryCode,
  normalizeEmail,
  normalizeIp,
  normalizePhone,
  normalizeTwclid,
  normalizeUserAgent,
} from './normalize.ts';
import { serializeValue } from './value.ts';
import { MAX_CONVERSIONS_PER_REQUEST } from './x-limits.ts';
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
  /** Clock for a missing `conversionTime` (epoch ms). Default: `Date.now`. */
  now?: () => number;
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

// ISO 8601 date-time with an explicit offset; a local time without one is
// ambiguous (whose midnight?), so it is refused rather than guessed.
const ISO_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

function conversionTime(
  raw: Date | number | string | null | undefined,
  now: () => number,
): { ok: true; value: string } | { ok: false; reason: string } {
  let time: number;
  if (raw === undefined || raw === null) time = now();
  else if (raw instanceof Date) time = raw.getTime();
  else if (typeof raw === 'number') time = raw;
  else {
    const text = raw.trim();
    if (!ISO_DATE_TIME.test(text)) {
      return {
        ok: false,
        reason: 'must be an ISO 8601 date-time with a time zone, e.g. 2024-05-01T12:00:00.000Z',
      };
    }
    time = Date.parse(text);
  }
  if (!Number.isFinite(time) || Number.isNaN(new Date(time).getTime())) {
    return { ok: false, reason: 'is not a valid date' };
  }
  // X's parser wants exactly what toISOString() prints: milliseconds and `Z` [WC].
  return { ok: true, value: new Date(time).toISOString() };
}

function eventSourceUrl(raw: string): { ok: true; value: string } | { ok: false; reason: string } {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, reason: 'must be an absolute http(s) URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: 'must be an absolute http(s) URL' };
  }
  // `href` is the URL-encoded form X asks for ("should be URL encoded") [WC].
  return { ok: true, value: url.href };
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
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => ({
        field: fieldName(issue.path),
        message: issue.message,
      })),
    };
  }
  const data = parsed.data;
  const issues: ValidationIssue[] = [];
  const fail = (field: string, message: string) => issues.push({ field, message });

  const event = parseEventId(data.eventId);
  if (!event.ok) fail('eventId', event.reason);
  else if (event.pixelId && options.pixelId && event.pixelId !== options.pixelId) {
    fail(
      'eventId',
      `names pixel "${event.pixelId}" but the conversion is sent to pixel "${options.pixelId}"`,
    );
  }

  const time = conversionTime(data.conversionTime, options.now ?? Date.now);
  if (!time.ok) fail('conversionTime', time.reason);

  // Identifiers, in X's example order. Each is its own object [WC].
  const identifiers: CapiIdentifier[] = [];
  let strong = 0;
  if (present(data.twclid)) {
    const twclid = normalizeTwclid(data.twclid);
    if (twclid.ok) {
      identifiers.push({ twclid: twclid.value });
      strong++;
    } else fail('twclid', twclid.reason);
  }
  if (present(data.email)) {
    const email = normalizeEmail(data.email);
    if (email.ok) {
      identifiers.push({ hashed_email: hashIdentifier(email.value) });
      strong++;
    } else fail('email', email.reason);
  }
  if (present(data.phone)) {
    const phone = normalizePhone(data.phone, options.defaultCountry);
    if (phone.ok) {
      identifiers.push({ hashed_phone_number: hashIdentifier(phone.value) });
      strong++;
    } else fail('phone', phone.reason);
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
  const fieldsWithIssues = new Set(issues.map((issue) => issue.field));
  const identifierFailed = ['twclid', 'email', 'phone'].some((f) => fieldsWithIssues.has(f));
  if (strong === 0 && !identifierFailed) {
    fail(
      'identifiers',
      weak > 0
        ? 'ip and userAgent can only be sent with a twclid, email or phone'
        : 'at least one of twclid, email or phone is required',
    );
  }

  const conversion: CapiConversion = {
    conversion_time: time.ok ? time.value : '',
    event_id: data.eventId.trim(),
    identifiers,
  };
  if (present(data.conversionId)) conversion.conversion_id = data.conversionId.trim();

  if (typeof data.value === 'number' || present(data.value)) {
    const value = serializeValue(data.value);
    if (value.ok) conversion.value = value.value;
    else fail('value', value.reason);
  }
  if (present(data.currency)) {
    const currency = data.currency.trim().toUpperCase();
    if (isCurrencyCode(currency)) conversion.price_currency = currency;
    else fail('currency', 'must be an ISO 4217 currency code such as "USD"');
  }
  if (data.numberItems !== undefined && data.numberItems !== null) {
    conversion.number_items = data.numberItems;
  }
  if (present(data.description)) conversion.description = data.description.trim();
  if (present(data.eventSourceUrl)) {
    const url = eventSourceUrl(data.eventSourceUrl);
    if (url.ok) conversion.event_source_url = url.value;
    else fail('eventSourceUrl', url.reason);
  }
  if (data.contents && data.contents.length > 0) {
    conversion.contents = data.contents.map((content, index) => {
      const out: CapiContent = {};
      if (present(content.contentId)) out.content_id = content.contentId.trim();
      if (present(content.contentName)) out.content_name = content.contentName.trim();
      if (present(content.contentType)) out.content_type = content.contentType.trim();
      if (content.contentPrice !== undefined && content.contentPrice !== null) {
        // X documents content_price as a number [REF12].
        const price = serializeValue(content.contentPrice);
        if (price.ok) out.content_price = Number(price.value);
        else fail(`contents[${index}].contentPrice`, price.reason);
      }
      if (content.numItems !== undefined && content.numItems !== null) {
        out.num_items = content.numItems;
      }
      if (content.contentGroupId !== undefined && content.contentGroupId !== null) {
        const group = String(content.contentGroupId).trim();
        if (group !== '') out.content_group_id = group;
      }
      return out;
    });
  }

  return issues.length > 0 ? { ok: false, issues } : { ok: true, conversion };
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

const ISO_PRINTED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Checks a batch of already built conversion objects against X's request
 * rules before sending: 1 to 500 conversions, and for each the wire rules X
 * enforces with a 400 (time format, at least one usable identifier, IP/UA not
 * alone, SHA-256 hex hashes, event ID form and pixel). Fields are named by
 * their wire path (`conversions[3].identifiers`). Empty array = valid.
 */
export function validateBatch(
  conversions: readonly CapiConversion[],
  options: { pixelId?: string } = {},
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (conversions.length === 0) {
    issues.push({ field: 'conversions', message: 'must hold at least one conversion' });
  }
  if (conversions.length > MAX_CONVERSIONS_PER_REQUEST) {
    issues.push({
      field: 'conversions',
      message: `holds ${conversions.length} conversions; X accepts at most ${MAX_CONVERSIONS_PER_REQUEST} per request`,
    });
  }
  conversions.forEach((conversion, index) => {
    const at = `conversions[${index}]`;
    if (
      typeof conversion.conversion_time !== 'string' ||
      !ISO_PRINTED.test(conversion.conversion_time)
    ) {
      issues.push({
        field: `${at}.conversion_time`,
        message: 'must be written as Date#toISOString() prints it (e.g. 2024-05-01T12:00:00.000Z)',
      });
    }
    const event = parseEventId(String(conversion.event_id ?? ''));
    if (!event.ok) issues.push({ field: `${at}.event_id`, message: event.reason });
    else if (event.pixelId && options.pixelId && event.pixelId !== options.pixelId) {
      issues.push({
        field: `${at}.event_id`,
        message: `names pixel "${event.pixelId}" but the batch is sent to pixel "${options.pixelId}"`,
      });
    }
    let strong = 0;
    for (const identifier of Array.isArray(conversion.identifiers) ? conversion.identifiers : []) {
      for (const [key, value] of Object.entries(identifier)) {
        if (typeof value !== 'string' || value.trim() === '') continue;
        if (key === 'hashed_email' || key === 'hashed_phone_number') {
          if (!isSha256Hex(value) || value !== value.toLowerCase()) {
            issues.push({
              field: `${at}.identifiers.${key}`,
              message: 'must be a lowercase SHA-256 hex digest',
            });
            continue;
          }
        }
        if (key === 'twclid' || key === 'hashed_email' || key === 'hashed_phone_number') strong++;
      }
    }
    if (strong === 0) {
      issues.push({
        field: `${at}.identifiers`,
        message: 'needs a non-empty twclid, hashed_email or hashed_phone_number',
      });
    }
  });
  return issues;
}
