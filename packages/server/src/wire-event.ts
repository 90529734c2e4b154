/**
 * Parses the JSON event the browser posts (`WireEvent` of the wire contract)
 * into a `ConversionInput`. Unknown keys are dropped (zod objects strip them),
 * so `__proto__`/`constructor` keys in the body reach nothing; bad types are
 * reported by their wire field name. Limits keep a 16 KB body from holding
 * absurd values; X's own rules are checked later by `buildConversion()`.
 */
import * as z from 'zod';
import type { ConversionInput, ValidationIssue } from './x-types.ts';

const text = (max: number) =>
  z.string({ error: 'must be a string' }).max(max, { error: `must be at most ${max} characters` });
const optional = <T extends z.ZodType>(schema: T) =>
  schema.nullish().transform((v) => v ?? undefined);
const numberOrText = z.union([z.number(), text(32)], {
  error: 'must be a number or a numeric string',
});

const contentSchema = z.object({
  content_id: optional(text(256)),
  content_name: optional(text(512)),
  content_type: optional(text(128)),
  content_price: optional(numberOrText),
  num_items: optional(z.number({ error: 'must be a number' })),
  content_group_id: optional(z.union([text(256), z.number()], { error: 'must be a string' })),
});

const wireEventSchema = z.object({
  event_id: text(80),
  conversion_id: text(128).min(1, { error: 'must not be empty' }),
  twclid: optional(text(256)),
  email: optional(text(320)),
  phone: optional(text(64)),
  value: optional(numberOrText),
  currency: optional(text(8)),
  number_items: optional(z.number({ error: 'must be a number' })),
  contents: optional(
    z
      .array(contentSchema, { error: 'must be an array' })
      .max(100, { error: 'must hold at most 100 items' }),
  ),
  description: optional(text(1024)),
  event_source_url: optional(text(2048)),
  conversion_time: optional(text(64)),
  /** Explicit opt-out from the page (consent withdrawn): acknowledged, not forwarded. */
  opt_out: optional(z.boolean({ error: 'must be a boolean' })),
});

export type ParsedWireEvent =
  | { ok: true; input: ConversionInput; optOut: boolean }
  | { ok: false; issues: ValidationIssue[] };

/** `contents.0.content_price` style paths → `contents[0].content_price`. */
export function wireFieldName(path: readonly PropertyKey[]): string {
  let name = '';
  for (const part of path) {
    if (typeof part === 'number') name += `[${part}]`;
    else name += name === '' ? String(part) : `.${String(part)}`;
  }
  return name || 'body';
}

/** `numberItems` → `number_items`, `contents[0].contentPrice` → `contents[0].content_price`. */
export function inputFieldToWire(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** `true` when the value at `path` is missing from the body (zod does not report inputs by default). */
function isAbsent(body: unknown, path: readonly PropertyKey[]): boolean {
  let node: unknown = body;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return true;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node === undefined;
}

export function parseWireEvent(body: unknown): ParsedWireEvent {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, issues: [{ field: 'body', message: 'must be a JSON object' }] };
  }
  const parsed = wireEventSchema.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => ({
        field: wireFieldName(issue.path),
        message:
          issue.code === 'invalid_type' && isAbsent(body, issue.path)
            ? 'is required'
            : issue.message,
      })),
    };
  }
  const e = parsed.data;
  const input: ConversionInput = { eventId: e.event_id, conversionId: e.conversion_id };
  if (e.twclid !== undefined) input.twclid = e.twclid;
  if (e.email !== undefined) input.email = e.email;
  if (e.phone !== undefined) input.phone = e.phone;
  if (e.value !== undefined) input.value = e.value;
  if (e.currency !== undefined) input.currency = e.currency;
  if (e.number_items !== undefined) input.numberItems = e.number_items;
  if (e.description !== undefined) input.description = e.description;
  if (e.event_source_url !== undefined) input.eventSourceUrl = e.event_source_url;
  if (e.conversion_time !== undefined) input.conversionTime = e.conversion_time;
  if (e.contents !== undefined) {
    input.contents = e.contents.map((c) => {
      const content: NonNullable<ConversionInput['contents']>[number] = {};
      if (c.content_id !== undefined) content.contentId = c.content_id;
      if (c.content_name !== undefined) content.contentName = c.content_name;
      if (c.content_type !== undefined) content.contentType = c.content_type;
      if (c.content_price !== undefined) content.contentPrice = c.content_price;
      if (c.num_items !== undefined) content.numItems = c.num_items;
      if (c.content_group_id !== undefined) content.contentGroupId = c.content_group_id;
      return content;
    });
  }
  return { ok: true, input, optOut: e.opt_out === true };
}
