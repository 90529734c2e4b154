/**
 * Pixel and event IDs. X gives both as short base-36 strings (`o8z6j`,
 * `o87ne`); the event may also be written in the Pixel's tag form
 * `tw-<pixel_id>-<event_id>`, which the Conversion API accepts as is [REF12].
 */

/** A pixel (event source) ID: base-36, lowercase, as X shows it in Events Manager. */
export const PIXEL_ID_PATTERN = /^[a-z0-9]{1,32}$/;

const SHORT_EVENT = /^[a-z0-9]{1,32}$/;
const TAG_EVENT = /^tw-([a-z0-9]{1,32})-([a-z0-9]{1,32})$/;

export type ParsedEventId =
  | { ok: true; eventId: string; pixelId?: string }
  | { ok: false; reason: string };

/** `true` for a well-formed pixel ID (`o8z6j`). */
export function isPixelId(value: string): boolean {
  return PIXEL_ID_PATTERN.test(value);
}

/**
 * Splits `o87ne` or `tw-o8z6j-o87ne` into its parts; `pixelId` is set only for
 * the tag form. Surrounding spaces are ignored.
 */
export function parseEventId(raw: string): ParsedEventId {
  const text = raw.trim();
  const tag = TAG_EVENT.exec(text);
  if (tag) return { ok: true, pixelId: tag[1] as string, eventId: tag[2] as string };
  if (SHORT_EVENT.test(text)) return { ok: true, eventId: text };
  return {
    ok: false,
    reason: 'must be an event ID like "o87ne" or "tw-<pixel_id>-<event_id>" (lowercase base-36)',
  };
}
