/**
 * Pixel and event IDs (`o87ne`, `tw-o8z6j-o87ne`): the wire contract's one
 * parser, re-exported for the server's own modules and its `core` entry.
 */
import { PIXEL_ID_PATTERN } from '@twclid-kit/browser/contract';

export {
  eventTag,
  type ParsedEventId,
  PIXEL_ID_PATTERN,
  parseEventId,
} from '@twclid-kit/browser/contract';

/** `true` for a well-formed pixel ID (`o8z6j`). */
export function isPixelId(value: string): boolean {
  return PIXEL_ID_PATTERN.test(value);
}
