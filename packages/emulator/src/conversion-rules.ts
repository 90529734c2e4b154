/**
 * X's rules for the Conversion API body [REF12] [WC], as a pure function.
 * A request is all-or-nothing: every error of every conversion is reported,
 * and one bad conversion fails the whole request [WC].
 */
import { isSha256Hex } from './hash.ts';

/** One entry of X's `errors` array [ERR]. */
export interface XError {
  code: string;
  message: string;
  parameter?: string;
}

/** X's documented batch limit [REF12]. */
export const MAX_CONVERSIONS_PER_REQUEST = 500;

/** Exactly what `Date#toISOString()` prints; X's parser rejects a time without `Z` [WC]. */
const ISO_MS_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

// ISO 4217 codes as the runtime's ICU knows them (a maintained list, no hand copy).
const CURRENCIES = new Set<string>(Intl.supportedValuesOf('currency'));

const IDENTIFIER_KEYS = [
  'twclid',
  'hashed_email',
  'hashed_phone_number',
  'ip_address',
  'user_agent',
] as const;
type IdentifierKey = (typeof IDENTIFIER_KEYS)[number];

/** A conversion that passed every rule except the event lookup. */
export interface CheckedConversion {
  eventIdSent: string;
  conversionTime: string;
  conversionId: string | undefined;
  identifiers: Partial<Record<IdentifierKey, string>>;
  value: string | undefined;
  currency: string;
  numberItems: number | undefined;
  description: string | undefined;
  eventSourceUrl: string | undefined;
  contentsCount: number;
}

/** The outcome for one conversion: errors (maybe none) and what could be read. */
export interface ConversionCheck {
  errors: XError[];
  /** Errors with echoed values masked, safe to store (a raw email sent as hashed_email stays out of records). */
  storedErrors: XError[];
  /** What could be read, for the inspection record; hashes only when valid. */
  read: Partial<CheckedConversion> & { eventIdSent?: string };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isPositiveInt = (v: unknown): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v > 0;

const isNumeric = (v: unknown): boolean =>
  (typeof v === 'number' && Number.isFinite(v)) ||
  (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim()));

function mask(value: string): string {
  return `<${value.length} chars>`;
}

/** Records one error: X's message, and the message kept in the ledger (masked where needed). */
type AddError = (code: string, parameter: string, message: string, stored?: string) => void;
type Read = ConversionCheck['read'];

function checkTime(raw: Record<string, unknown>, add: AddError, read: Read): void {
  // conversion_time
  const time = raw.conversion_time;
  if (time === undefined || time === null || time === '') {
    add('MISSING_PARAMETER', 'conversion_time', 'conversion_time is required');
  } else if (
    typeof time !== 'string' ||
    !ISO_MS_Z.test(time) ||
    Number.isNaN(Date.parse(time)) ||
    new Date(time).toISOString() !== time
  ) {
    add(
      'INVALID_PARAMETER',
      'conversion_time',
      `conversion_time (${String(time)}) must be an ISO 8601 time in the form YYYY-MM-DDTHH:mm:ss.sssZ`,
    );
  } else {
    read.conversionTime = time;
  }
}

function checkEventId(raw: Record<string, unknown>, add: AddError, read: Read): void {
  // event_id (the lookup against the pixel happens in the caller)
  const eventId = raw.event_id;
  if (eventId === undefined || eventId === null || eventId === '') {
    add('MISSING_PARAMETER', 'event_id', 'event_id is required');
  } else if (typeof eventId !== 'string') {
    add('INVALID_PARAMETER', 'event_id', 'event_id must be a string');
  } else {
    read.eventIdSent = eventId;
  }
}

function checkIdentifiers(raw: Record<string, unknown>, add: AddError, read: Read): void {
  // identifiers
  const identifiers: Partial<Record<IdentifierKey, string>> = {};
  const ids = raw.identifiers;
  if (ids === undefined || ids === null) {
    add('MISSING_PARAMETER', 'identifiers', 'identifiers is required');
  } else if (!Array.isArray(ids)) {
    add('INVALID_PARAMETER', 'identifiers', 'identifiers must be an array of objects');
  } else {
    let identifierErrors = false;
    for (const entry of ids) {
      if (!isObject(entry)) {
        add('INVALID_PARAMETER', 'identifiers', 'identifiers must be an array of objects');
        identifierErrors = true;
        continue;
      }
      for (const [key, value] of Object.entries(entry)) {
        if (!(IDENTIFIER_KEYS as readonly string[]).includes(key)) {
          add('INVALID_PARAMETER', 'identifiers', `Unknown identifier ${key}`);
          identifierErrors = true;
          continue;
        }
        if (typeof value !== 'string') {
          add('INVALID_PARAMETER', key, `${key} must be a string`);
          identifierErrors = true;
          continue;
        }
        const v = value.trim();
        if (v === '') continue; // `{"twclid": ""}` does not count as an identifier [WC].
        if ((key === 'hashed_email' || key === 'hashed_phone_number') && !isSha256Hex(v)) {
          // X echoes the value; the stored copy masks it in case it is a raw email or phone.
          add(
            'INVALID_PARAMETER',
            key,
            `${key} (${value}) is not a valid SHA-256 hash`,
            `${key} (${mask(value)}) is not a valid SHA-256 hash`,
          );
          identifierErrors = true;
          continue;
        }
        identifiers[key as IdentifierKey] ??= v;
      }
    }
    const present = Object.keys(identifiers) as IdentifierKey[];
    if (present.length === 0 && !identifierErrors) {
      add('INVALID_PARAMETER', 'identifiers', 'At least one user identifier must be provided');
    } else if (
      present.length === 1 &&
      (present[0] === 'ip_address' || present[0] === 'user_agent')
    ) {
      // Setup guide: IP address and user agent each need a second identifier (either of the others counts).
      add(
        'INVALID_PARAMETER',
        present[0],
        `${present[0]} must be sent together with another identifier (twclid, hashed_email, hashed_phone_number, ${present[0] === 'ip_address' ? 'user_agent' : 'ip_address'})`,
      );
    }
    read.identifiers = identifiers;
  }
}

function checkOptionalFields(raw: Record<string, unknown>, add: AddError, read: Read): void {
  // conversion_id: the deduplication key [REF12]
  const conversionId = raw.conversion_id;
  if (conversionId !== undefined && conversionId !== null) {
    if (typeof conversionId !== 'string' || conversionId.trim() === '') {
      add('INVALID_PARAMETER', 'conversion_id', 'conversion_id must be a non-empty string');
    } else {
      read.conversionId = conversionId;
    }
  }

  // value: a double; X's own example sends "20.00" as a string [REF12] [WC]
  const value = raw.value;
  if (value !== undefined && value !== null) {
    if (!isNumeric(value)) add('INVALID_PARAMETER', 'value', 'value must be a number');
    else read.value = String(value).trim();
  }

  // price_currency: ISO 4217, default USD [REF12]
  const currency = raw.price_currency;
  if (currency === undefined || currency === null) {
    read.currency = 'USD';
  } else if (
    typeof currency !== 'string' ||
    !/^[A-Z]{3}$/.test(currency) ||
    !CURRENCIES.has(currency)
  ) {
    add(
      'INVALID_PARAMETER',
      'price_currency',
      `price_currency (${String(currency)}) is not a valid ISO 4217 currency code`,
    );
  } else {
    read.currency = currency;
  }

  // number_items: positive integer [REF12]
  const numberItems = raw.number_items;
  if (numberItems !== undefined && numberItems !== null) {
    if (!isPositiveInt(numberItems)) {
      add('INVALID_PARAMETER', 'number_items', 'number_items must be a positive integer');
    } else {
      read.numberItems = numberItems as number;
    }
  }

  for (const key of ['description', 'event_source_url'] as const) {
    const v = raw[key];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      add('INVALID_PARAMETER', key, `${key} must be a string`);
    }
  }
  if (typeof raw.description === 'string') read.description = raw.description;
  if (typeof raw.event_source_url === 'string') read.eventSourceUrl = raw.event_source_url;
}

function checkContentItem(item: unknown, i: number, add: AddError): void {
  if (!isObject(item)) {
    add('INVALID_PARAMETER', 'contents', `contents[${i}] must be an object`);
    return;
  }
  for (const key of ['content_id', 'content_name', 'content_type'] as const) {
    const v = item[key];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      add('INVALID_PARAMETER', key, `contents[${i}].${key} must be a string`);
    }
  }
  const price = item.content_price;
  if (price !== undefined && price !== null && !isNumeric(price)) {
    add('INVALID_PARAMETER', 'content_price', `contents[${i}].content_price must be a number`);
  }
  const num = item.num_items;
  if (num !== undefined && num !== null && !isPositiveInt(num)) {
    add('INVALID_PARAMETER', 'num_items', `contents[${i}].num_items must be a positive integer`);
  }
  const group = item.content_group_id;
  if (
    group !== undefined &&
    group !== null &&
    typeof group !== 'string' &&
    !(typeof group === 'number' && Number.isInteger(group))
  ) {
    add(
      'INVALID_PARAMETER',
      'content_group_id',
      `contents[${i}].content_group_id must be an integer or a string`,
    );
  }
}

function checkContents(raw: Record<string, unknown>, add: AddError, read: Read): void {
  // contents [REF12]
  const contents = raw.contents;
  if (contents === undefined || contents === null) return;
  if (!Array.isArray(contents)) {
    add('INVALID_PARAMETER', 'contents', 'contents must be an array of objects');
    return;
  }
  contents.forEach((item, i) => {
    checkContentItem(item, i, add);
  });
  read.contentsCount = contents.length;
}

/** Checks one conversion object against every documented rule. */
export function checkConversion(raw: unknown): ConversionCheck {
  const errors: XError[] = [];
  const storedErrors: XError[] = [];
  const add: AddError = (code, parameter, message, stored = message) => {
    errors.push({ code, message, parameter });
    storedErrors.push({ code, message: stored, parameter });
  };
  const read: Read = {};
  if (!isObject(raw)) {
    add('INVALID_PARAMETER', 'conversions', 'Each conversion must be a JSON object');
    return { errors, storedErrors, read };
  }
  checkTime(raw, add, read);
  checkEventId(raw, add, read);
  checkIdentifiers(raw, add, read);
  checkOptionalFields(raw, add, read);
  checkContents(raw, add, read);
  return { errors, storedErrors, read };
}

/** The body-level outcome: either a list of conversions to check, or a body error. */
export type BodyCheck =
  | { ok: true; conversions: unknown[] }
  | { ok: false; errors: XError[]; conversions?: unknown[] };

/** Body shape: `{"conversions": [1..500 objects]}` [REF12]. */
export function checkBody(body: unknown): BodyCheck {
  if (!isObject(body)) {
    return {
      ok: false,
      errors: [
        {
          code: 'INVALID_PARAMETER',
          message: 'Request body must be a JSON object with a conversions array',
          parameter: 'conversions',
        },
      ],
    };
  }
  const conversions = body.conversions;
  if (conversions === undefined || conversions === null) {
    return {
      ok: false,
      errors: [
        { code: 'MISSING_PARAMETER', message: 'conversions is required', parameter: 'conversions' },
      ],
    };
  }
  if (!Array.isArray(conversions) || conversions.length === 0) {
    return {
      ok: false,
      errors: [
        {
          code: 'INVALID_PARAMETER',
          message: 'conversions must be an array of 1 to 500 conversions',
          parameter: 'conversions',
        },
      ],
    };
  }
  if (conversions.length > MAX_CONVERSIONS_PER_REQUEST) {
    return {
      ok: false,
      conversions,
      errors: [
        {
          code: 'INVALID_PARAMETER',
          message: 'Conversion count limit is 500',
          parameter: 'conversions',
        },
      ],
    };
  }
  return { ok: true, conversions };
}
