/**
 * The validation stage: the body's shape, then every rule on every conversion
 * and each event ID against the pixel. The request is all-or-nothing [WC]:
 * one bad conversion fails it, and the response lists every error of every
 * conversion.
 */
import type { Context } from 'hono';
import { lookupEvent, type ResolvedPixel } from '../config.ts';
import { type ConversionCheck, checkConversion, type XError } from '../conversion-rules.ts';
import type { EmulatorContext, Env } from '../emulator-context.ts';
import type { AuthResult } from '../ledger.ts';
import { eventError, xError } from '../x-response.ts';
import type { RateHeaders } from './budgets.ts';
import { recordConversions, recordRefused } from './record.ts';
import type { ConversionRequest, Halt } from './request.ts';

/** One conversion that passed every rule, with the pixel's event it belongs to. */
export interface ValidConversion {
  read: ConversionCheck['read'];
  eventKey: string | null;
}

interface JudgedConversion {
  check: ConversionCheck;
  eventErrors: XError[];
  eventKey: string | null;
}

export function validate(
  c: Context<Env>,
  ctx: EmulatorContext,
  request: ConversionRequest,
  auth: AuthResult,
  pixel: ResolvedPixel,
  headers: RateHeaders,
): { ok: true; conversions: ValidConversion[] } | Halt {
  const { body } = request;
  if (!body.ok) {
    recordRefused(ctx, request, auth, { httpStatus: 400, errors: body.errors, fault: null });
    return { ok: false, response: xError(c, 400, body.errors, request.params, headers) };
  }

  // Every rule on every conversion; the request is all-or-nothing [WC].
  const judged = body.conversions.map((raw) => judge(ctx, pixel, raw));
  const dataErrors = judged.flatMap((x) => x.check.errors);
  const eventErrors = judged.flatMap((x) => x.eventErrors);
  if (dataErrors.length === 0 && eventErrors.length === 0) {
    return {
      ok: true,
      conversions: judged.map((x) => ({ read: x.check.read, eventKey: x.eventKey })),
    };
  }

  const malformedEvent = eventErrors.some((e) => e.code === 'INVALID_PARAMETER');
  const status =
    eventErrors.length > 0 &&
    !malformedEvent &&
    ctx.config.unknownEventStatus === 404 &&
    dataErrors.length === 0
      ? 404
      : 400;
  const entries = judged.map(({ check, eventErrors: own }) => ({
    read: check.read,
    errors: [...check.storedErrors, ...own],
  }));
  recordConversions(ctx, request, auth, entries, { httpStatus: status, fault: null }, false);
  const response = xError(c, status, [...dataErrors, ...eventErrors], request.params, headers);
  return { ok: false, response };
}

function judge(ctx: EmulatorContext, pixel: ResolvedPixel, raw: unknown): JudgedConversion {
  const check = checkConversion(raw);
  const eventErrors: XError[] = [];
  let eventKey: string | null = null;
  if (check.read.eventIdSent !== undefined) {
    const found = lookupEvent(ctx.config, pixel, check.read.eventIdSent);
    if (found.ok) eventKey = found.eventId;
    else eventErrors.push(eventError(found.reason, check.read.eventIdSent, pixel));
  }
  return { check, eventErrors, eventKey };
}
