/**
 * Checks a batch of already built conversion objects against the request rules
 * X enforces with a 400 (docs/x-api.md §1), before anything is sent.
 */
import { parseEventId } from './event-id.ts';
import { isSha256Hex } from './hash.ts';
import { MAX_CONVERSIONS_PER_REQUEST } from './x-limits.ts';
import type { CapiConversion, ValidationIssue } from './x-types.ts';

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
