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
  return {
    match(raw) {
      const parsed = parseEventId(raw);
      if (!parsed.ok) return undefined;
      if (parsed.pixelId !== undefined && parsed.pixelId !== pixelId) return undefined;
      return allowed.has(parsed.eventId) ? parsed.eventId : undefined;
    },
  };
}
