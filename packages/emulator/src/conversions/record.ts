/**
 * What a Conversion API request leaves in the ledger: one record per conversion
 * it carried (one for the request when none could be read), whatever the
 * outcome, so the inspection API shows rejected copies next to counted ones.
 */
import { type CheckedConversion, checkConversion, type XError } from '../conversion-rules.ts';
import type { EmulatorContext } from '../emulator-context.ts';
import { parseEventId } from '../event-key.ts';
import type { FaultKind } from '../faults.ts';
import type { AuthResult, NewRecord } from '../ledger.ts';
import type { ConversionRequest } from './request.ts';

/** One conversion to record: what could be read of it and the errors it is stored with. */
export interface RecordEntry {
  read: Partial<CheckedConversion>;
  errors: XError[];
  /** The event the pixel resolved it to; without it, the event ID as sent, normalized. */
  eventKey?: string | null;
}

/** How the request was answered. */
export interface RecordOutcome {
  /** null when it was never answered (a hung or dropped connection). */
  httpStatus: number | null;
  fault: FaultKind | null;
}

/** Records a request refused before X's rules ran: each conversion as far as it could be read. */
export function recordRefused(
  ctx: EmulatorContext,
  request: ConversionRequest,
  auth: AuthResult,
  outcome: RecordOutcome & { errors: XError[] },
): void {
  const conversions = request.body.conversions ?? [];
  const reads =
    conversions.length === 0 ? [{}] : conversions.map((raw) => checkConversion(raw).read);
  const entries = reads.map((read) => ({ read, errors: outcome.errors }));
  recordConversions(ctx, request, auth, entries, outcome, false);
}

/**
 * Records an accepted request's conversions: they count (or deduplicate) from
 * here. A connection dropped after processing leaves them unanswered.
 */
export function recordAccepted(
  ctx: EmulatorContext,
  request: ConversionRequest,
  auth: AuthResult,
  conversions: ReadonlyArray<{ read: Partial<CheckedConversion>; eventKey: string | null }>,
  dropped: boolean,
): void {
  const entries = conversions.map(({ read, eventKey }) => ({ read, eventKey, errors: [] }));
  const outcome = dropped
    ? { httpStatus: null, fault: 'dropped' as const }
    : { httpStatus: 200, fault: null };
  recordConversions(ctx, request, auth, entries, outcome, true);
}

/**
 * Records judged conversions: accepted ones count (or deduplicate) from here;
 * rejected ones are stored with their own errors.
 */
export function recordConversions(
  ctx: EmulatorContext,
  request: ConversionRequest,
  auth: AuthResult,
  entries: RecordEntry[],
  outcome: RecordOutcome,
  accepted: boolean,
): void {
  const at = ctx.clock.now();
  for (const entry of entries) {
    const read = fromRead(entry.read);
    ctx.ledger.add(
      {
        ...baseRecord(request, auth),
        ...read,
        eventKey: entry.eventKey === undefined ? read.eventKey : entry.eventKey,
        validation: { ok: accepted, errors: entry.errors },
        httpStatus: outcome.httpStatus,
        fault: outcome.fault,
      },
      at,
      accepted,
    );
  }
}

/** The fields every record of one request shares. */
function baseRecord(
  request: ConversionRequest,
  auth: AuthResult,
): Omit<NewRecord, 'validation' | 'httpStatus' | 'fault'> {
  return {
    channel: 'capi',
    type: 'conversion',
    eventId: null,
    eventKey: null,
    conversionId: null,
    conversionTime: null,
    twclid: null,
    twclidSource: null,
    hashedEmail: null,
    hashedPhoneNumber: null,
    ipAddress: null,
    userAgent: null,
    value: null,
    currency: null,
    numberItems: null,
    pageUrl: null,
    debugId: request.debugId,
    pixelId: request.pixelId,
    accountId: request.pixel?.accountId ?? null,
    auth,
  };
}

/** The record fields of what could be read of one conversion (hashes only when valid). */
function fromRead(read: Partial<CheckedConversion>) {
  const ids = read.identifiers ?? {};
  const parsed = read.eventIdSent ? parseEventId(read.eventIdSent) : undefined;
  return {
    eventId: read.eventIdSent ?? null,
    eventKey: parsed?.eventId ?? null,
    conversionId: read.conversionId ?? null,
    conversionTime: read.conversionTime ?? null,
    twclid: ids.twclid ?? null,
    hashedEmail: ids.hashed_email ?? null,
    hashedPhoneNumber: ids.hashed_phone_number ?? null,
    ipAddress: ids.ip_address ?? null,
    userAgent: ids.user_agent ?? null,
    value: read.value ?? null,
    currency: read.currency ?? null,
    numberItems: read.numberItems ?? null,
  };
}
