/**
 * Event IDs come in two documented forms: the base-36 event ID (`o87ne`) and
 * the full tag `tw-<pixel_id>-<event_id>` (`tw-o8z6j-o87ne`); X accepts both
 * [REF12], and the Pixel uses the tag form [SAMPLES]. Both name the same event,
 * so deduplication keys on the short form.
 */
export interface ParsedEventId {
  /** The pixel named by the tag form, when the tag form was used. */
  pixelId: string | undefined;
  /** The base-36 event ID, lowercase. */
  eventId: string;
}

const SHORT = /^[0-9a-z]{1,32}$/;
const TAG = /^tw-([0-9a-z]{1,32})-([0-9a-z]{1,32})$/;

/** Parses either form (base-36 is case-insensitive); undefined when it is neither. */
export function parseEventId(raw: string): ParsedEventId | undefined {
  const value = raw.trim().toLowerCase();
  const tag = TAG.exec(value);
  if (tag) return { pixelId: tag[1] as string, eventId: tag[2] as string };
  if (SHORT.test(value)) return { pixelId: undefined, eventId: value };
  return undefined;
}

/** The deduplication key of one conversion: X dedups per pixel, event and conversion_id [WC]. */
export function conversionKey(pixelId: string, eventId: string, conversionId: string): string {
  return `${pixelId}/${eventId}/${conversionId}`;
}
