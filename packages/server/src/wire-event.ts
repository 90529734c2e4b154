/**
 * Parses the JSON event the browser posts (`WireEvent` of the wire contract)
 * into a `ConversionInput`, in one pass over the contract's field table
 * (`CONVERSION_FIELDS`, `CONTENT_FIELDS` in `@twclid-kit/browser/contract`):
 * each known key is type- and length-checked and renamed to its input name;
 * unknown keys are never read, so `__proto__`/`constructor` keys in the body
 * reach nothing. Bad types are reported by their wire field name. X's own rules
 * are checked later by `buildConversion()`.
 */
import { CONTENT_FIELDS, CONVERSION_FIELDS, type FieldSpec } from '@twclid-kit/browser/contract';
import type { ConversionInput, ValidationIssue } from './x-types.ts';

/** The contract's field table, for tools that read conversions from elsewhere (the CLI). */
export { CONTENT_FIELDS, CONVERSION_FIELDS, type FieldSpec };

/**
 * The parsed event: the conversion, and what the page says about it besides:
 * `optOut`, and `conversionSig`, the server's signature of an app's own
 * `conversion_id` (checked by the events route, never part of the conversion).
 */
export type ParsedWireEvent =
  | { ok: true; input: ConversionInput; optOut: boolean; conversionSig?: string }
  | { ok: false; issues: ValidationIssue[] };

type Entry = readonly [wire: string, spec: FieldSpec];
/** The fields the browser may send (the server takes IP and user agent from the request). */
const EVENT_ENTRIES: readonly Entry[] = (Object.entries(CONVERSION_FIELDS) as Entry[]).filter(
  ([, spec]) => !('wire' in spec),
);
const CONTENT_ENTRIES: readonly Entry[] = Object.entries(CONTENT_FIELDS);

/** Input name → wire name, for both tables (`numberItems` → `number_items`). */
const WIRE_NAME: ReadonlyMap<string, string> = new Map(
  [...Object.entries(CONVERSION_FIELDS), ...CONTENT_ENTRIES].map(([wire, spec]) => [
    spec.input,
    wire,
  ]),
);

/** `contents.0.content_price` style paths → `contents[0].content_price`. */
export function wireFieldName(path: readonly PropertyKey[]): string {
  let name = '';
  for (const part of path) {
    if (typeof part === 'number') name += `[${part}]`;
    else name += name === '' ? String(part) : `.${String(part)}`;
  }
  return name || 'body';
}

/**
 * An input field name to its wire name through the field table:
 * `numberItems` → `number_items`, `contents[0].contentPrice` →
 * `contents[0].content_price`. Names outside the table are returned as they are.
 */
export function inputFieldToWire(field: string): string {
  return field.replace(/[A-Za-z_]+/g, (name) => WIRE_NAME.get(name) ?? name);
}

type Read = { ok: true; value: unknown } | { ok: false; message: string };

const textWithin = (value: unknown, max: number): Read =>
  typeof value !== 'string'
    ? { ok: false, message: 'must be a string' }
    : value.length > max
      ? { ok: false, message: `must be at most ${max} characters` }
      : { ok: true, value };

/** Reads one present (non-null) value by its kind; `contents` is read by the caller. */
function readValue(value: unknown, spec: FieldSpec): Read {
  const max = spec.max ?? Number.POSITIVE_INFINITY;
  switch (spec.kind) {
    case 'text':
      return textWithin(value, max);
    case 'count':
      return typeof value === 'number' && Number.isFinite(value)
        ? { ok: true, value }
        : { ok: false, message: 'must be a number' };
    case 'amount':
      if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value };
      return typeof value === 'string'
        ? textWithin(value, max)
        : { ok: false, message: 'must be a number or a numeric string' };
    case 'id':
      if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value };
      return textWithin(value, max);
    case 'flag':
      return typeof value === 'boolean'
        ? { ok: true, value }
        : { ok: false, message: 'must be a boolean' };
    default:
      return { ok: false, message: 'is not a value' };
  }
}

/**
 * Copies the table's fields of `source` into `target` under their input names.
 * Absent and `null` values are skipped; problems are pushed named by `at` + wire name.
 */
function readFields(
  source: Record<string, unknown>,
  entries: readonly Entry[],
  target: Record<string, unknown>,
  at: string,
  issues: ValidationIssue[],
): void {
  for (const [wire, spec] of entries) {
    const value = Object.hasOwn(source, wire) ? source[wire] : undefined;
    const field = at + wire;
    if (value === undefined || value === null) {
      if (spec.required) issues.push({ field, message: 'is required' });
      continue;
    }
    if (spec.kind === 'contents') {
      const contents = readContents(value, spec.max ?? 0, field, issues);
      if (contents) target[spec.input] = contents;
      continue;
    }
    const read = readValue(value, spec);
    if (!read.ok) issues.push({ field, message: read.message });
    else if (spec.required && read.value === '') {
      issues.push({ field, message: 'must not be empty' });
    } else if (spec.required && typeof read.value === 'string' && read.value.trim() === '') {
      // A blank required field (`conversion_id: "   "`) would be stored without it.
      issues.push({ field, message: 'must not be blank' });
    } else target[spec.input] = read.value;
  }
}

function readContents(
  value: unknown,
  max: number,
  field: string,
  issues: ValidationIssue[],
): Record<string, unknown>[] | undefined {
  if (!Array.isArray(value)) {
    issues.push({ field, message: 'must be an array' });
    return undefined;
  }
  if (value.length > max) {
    issues.push({ field, message: `must hold at most ${max} items` });
    return undefined;
  }
  return value.map((item: unknown, index) => {
    const content: Record<string, unknown> = {};
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      issues.push({ field: `${field}[${index}]`, message: 'must be an object' });
    } else {
      readFields(
        item as Record<string, unknown>,
        CONTENT_ENTRIES,
        content,
        `${field}[${index}].`,
        issues,
      );
    }
    return content;
  });
}

export function parseWireEvent(body: unknown): ParsedWireEvent {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, issues: [{ field: 'body', message: 'must be a JSON object' }] };
  }
  const issues: ValidationIssue[] = [];
  const fields: Record<string, unknown> = {};
  readFields(body as Record<string, unknown>, EVENT_ENTRIES, fields, '', issues);
  if (issues.length > 0) return { ok: false, issues };
  const { optOut, conversionSig, ...input } = fields;
  const parsed: ParsedWireEvent = {
    ok: true,
    input: input as unknown as ConversionInput,
    optOut: optOut === true,
  };
  if (typeof conversionSig === 'string') parsed.conversionSig = conversionSig;
  return parsed;
}
