/**
 * The allow-list of event IDs the route accepts: each configured event in its
 * short (`o87ne`) or tag (`tw-o8z6j-o87ne`) form; the tag form must name this
 * pixel. Anything else is rejected before it reaches the outbox.
 */
import { ConfigError } from '../errors.ts';
import { parseEventId } from '../event-id.ts';

export interface EventAllowList {
  /** The event's short ID when allowed, else `undefined`. */
  match(raw: string): string | undefined;
  /** Whether an event ID the caller already parsed is allowed. */
  allows(event: { eventId: string; pixelId?: string | undefined }): boolean;
}

export function createEventAllowList(pixelId: string, events: readonly string[]): EventAllowList {
  if (events.length === 0)
    throw new ConfigError('events', 'list at least one event ID (e.g. "o87ne")');
  const allowed = new Set<string>();
  for (const event of events) {
    const parsed = parseEventId(event);
    if (!parsed.ok) throw new ConfigError('events', `"${event}" ${parsed.reason}`);
    if (parsed.pixelId !== undefined && parsed.pixelId !== pixelId) {
      throw new ConfigError(
        'events',
        `"${event}" belongs to pixel ${parsed.pixelId}, not ${pixelId}`,
      );
    }
    allowed.add(parsed.eventId);
  }
  const allows = (event: { eventId: string; pixelId?: string | undefined }): boolean =>
    (event.pixelId === undefined || event.pixelId === pixelId) && allowed.has(event.eventId);
  return {
    match(raw) {
      const parsed = parseEventId(raw);
      return parsed.ok && allows(parsed) ? parsed.eventId : undefined;
    },
    allows,
  };
}
