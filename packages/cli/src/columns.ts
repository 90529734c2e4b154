/**
 * The columns (CSV) and keys (JSON Lines) an upload understands, with the
 * header aliases that common exports use, and the mapping of one row to the
 * core's `ConversionInput`. Cells are only *parsed* here (text → number where
 * the input type wants one); normalizing, hashing and X's rules are the core's
 * `buildConversion()`, exactly as on the live route.
 */
import type { ContentInput, ConversionInput } from '@twclid-kit/server';
import { CONTENT_FIELDS, CONVERSION_FIELDS, type FieldSpec } from '@twclid-kit/server/core';
import { UsageError } from './exit-codes.ts';

/** A conversion field of the wire contract's table (`opt_out`, `conversion_sig` are the page's). */
export type UploadField = Exclude<keyof typeof CONVERSION_FIELDS, 'opt_out' | 'conversion_sig'>;

const SPEC: Readonly<Record<UploadField, FieldSpec>> = CONVERSION_FIELDS;

/** The canonical field names, in the table's order (the order `--help` lists them). */
export const UPLOAD_FIELDS = (
  Object.keys(CONVERSION_FIELDS) as (keyof typeof CONVERSION_FIELDS)[]
).filter((field): field is UploadField => field !== 'opt_out' && field !== 'conversion_sig');

/**
 * Accepted header names per field: its wire name and the table's aliases.
 * Headers are compared after lowercasing and turning spaces and hyphens into
 * `_`, so `Email Address` and `email-address` both mean `email_address`.
 * `hashed_*` headers are accepted because the core passes a value that already
 * is a SHA-256 digest through unchanged.
 */
export const HEADER_ALIASES: Readonly<Record<UploadField, readonly string[]>> = Object.fromEntries(
  UPLOAD_FIELDS.map((field) => [field, [field, ...(SPEC[field].aliases ?? [])]]),
) as unknown as Record<UploadField, readonly string[]>;

const ALIAS_TO_FIELD: ReadonlyMap<string, UploadField> = new Map(
  UPLOAD_FIELDS.flatMap((field) => HEADER_ALIASES[field].map((alias) => [alias, field] as const)),
);

/** `Email Address` → `email_address`. */
export function canonicalHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

export interface ColumnMap {
  /** Field → index of its column. */
  fields: Partial<Record<UploadField, number>>;
  /** Headers that match no field (ignored, reported once). */
  ignored: string[];
}

/**
 * Maps a CSV header row to fields. Two columns for one field (`email` and
 * `email_address`) are a usage error: which one wins would be a guess.
 */
export function mapHeader(header: readonly string[]): ColumnMap {
  const fields: Partial<Record<UploadField, number>> = {};
  const ignored: string[] = [];
  header.forEach((name, index) => {
    const field = ALIAS_TO_FIELD.get(canonicalHeader(name));
    if (field === undefined) {
      if (name.trim() !== '') ignored.push(name);
      return;
    }
    const previous = fields[field];
    if (previous !== undefined) {
      throw new UsageError(
        `columns "${header[previous]}" and "${name}" both mean ${field}`,
        'keep one of them (or rename the other) and run again',
      );
    }
    fields[field] = index;
  });
  return { fields, ignored };
}

/** Row values keyed by canonical field; `undefined` for absent or empty cells. */
export type RowFields = Partial<Record<UploadField, unknown>>;

/** Picks the fields of one CSV record. */
export function csvRowFields(map: ColumnMap, record: readonly string[]): RowFields {
  const row: RowFields = {};
  for (const field of UPLOAD_FIELDS) {
    const index = map.fields[field];
    if (index === undefined) continue;
    const cell = record[index];
    if (cell !== undefined && cell.trim() !== '') row[field] = cell;
  }
  return row;
}

/**
 * Picks the fields of one JSON Lines object (same aliases as CSV headers).
 * Returns the unknown keys too, so the caller can report them once.
 */
export function jsonRowFields(object: Record<string, unknown>): {
  row: RowFields;
  ignored: string[];
  conflict?: string;
} {
  const row: RowFields = {};
  const seen: Partial<Record<UploadField, string>> = {};
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(object)) {
    const field = ALIAS_TO_FIELD.get(canonicalHeader(key));
    if (field === undefined) {
      ignored.push(key);
      continue;
    }
    if (value === null || value === undefined || (typeof value === 'string' && value.trim() === ''))
      continue;
    const previous = seen[field];
    if (previous !== undefined) {
      return { row, ignored, conflict: `keys "${previous}" and "${key}" both mean ${field}` };
    }
    seen[field] = key;
    row[field] = value;
  }
  return { row, ignored };
}

/** A problem found while reading a cell, named by its field. */
export interface CellIssue {
  field: string;
  message: string;
}

/**
 * Turns one row into the core's `ConversionInput`. Only the cell syntax is
 * checked here (is `number_items` a number at all, is `contents` JSON); every
 * rule about the values is the core's.
 *
 * Times: see {@link parseTime}.
 */
export function rowToInput(
  row: RowFields,
  defaults: { eventId?: string },
): { ok: true; input: ConversionInput } | { ok: false; issues: CellIssue[] } {
  const issues: CellIssue[] = [];
  const text = (field: UploadField): string | undefined => {
    const value = row[field];
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    issues.push({ field, message: 'must be a string or a number' });
    return undefined;
  };

  const eventId = text('event_id') ?? defaults.eventId;
  if (eventId === undefined) {
    issues.push({ field: 'event_id', message: 'is missing (add the column or pass --event)' });
  }
  const input: ConversionInput = { eventId: eventId ?? '' };

  const time = text('conversion_time');
  if (time === undefined) {
    // An offline conversion without its time would be stamped "now", which
    // misplaces it in X's attribution windows; refuse rather than guess.
    issues.push({ field: 'conversion_time', message: 'is missing' });
  } else {
    input.conversionTime = parseTime(time);
  }

  // The text fields other than the two read above, renamed by the table.
  for (const field of UPLOAD_FIELDS) {
    const spec = SPEC[field];
    if (spec.kind !== 'text' || field === 'event_id' || field === 'conversion_time') continue;
    const value = text(field);
    if (value !== undefined) (input as unknown as Record<string, unknown>)[spec.input] = value;
  }

  const value = row.value;
  if (typeof value === 'number') input.value = value;
  else if (value !== undefined) {
    const cell = text('value');
    if (cell !== undefined) input.value = cell.trim();
  }

  const items = row.number_items;
  if (typeof items === 'number') input.numberItems = items;
  else if (items !== undefined) {
    const cell = text('number_items');
    if (cell !== undefined) {
      if (/^\s*-?\d+(\.\d+)?\s*$/.test(cell)) input.numberItems = Number(cell);
      else issues.push({ field: 'number_items', message: 'is not a number' });
    }
  }

  const contents = row.contents;
  if (contents !== undefined) {
    const parsed = parseContents(contents);
    if (parsed.ok) input.contents = parsed.contents;
    else issues.push({ field: 'contents', message: parsed.message });
  }

  return issues.length > 0 ? { ok: false, issues } : { ok: true, input };
}

/**
 * A time cell or flag: a bare integer is a Unix time (seconds up to 10 digits,
 * milliseconds beyond); anything else is handed to the core as ISO 8601 text.
 */
export function parseTime(text: string): number | string {
  const trimmed = text.trim();
  if (/^\d{1,16}$/.test(trimmed)) {
    return trimmed.length <= 10 ? Number(trimmed) * 1000 : Number(trimmed);
  }
  return trimmed;
}

/** `contents`: a JSON array (a CSV cell holds its JSON text) of X's content objects. */
function parseContents(
  value: unknown,
): { ok: true; contents: ContentInput[] } | { ok: false; message: string } {
  let array = value;
  if (typeof value === 'string') {
    try {
      array = JSON.parse(value);
    } catch {
      return { ok: false, message: 'is not valid JSON' };
    }
  }
  if (!Array.isArray(array)) return { ok: false, message: 'must be a JSON array' };
  const contents: ContentInput[] = [];
  for (const item of array) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return { ok: false, message: 'must be an array of objects' };
    }
    const source = item as Record<string, unknown>;
    const content: ContentInput = {};
    for (const [wire, spec] of Object.entries(CONTENT_FIELDS)) {
      const v = source[wire];
      if (v !== undefined && v !== null) (content as Record<string, unknown>)[spec.input] = v;
    }
    contents.push(content);
  }
  return { ok: true, contents };
}
