/**
 * The faults stage: injected failures come first, because they stand for X's
 * infrastructure, not its rules. A 5xx or 429 is answered (and recorded) as X
 * would; a timeout hangs until the client gives up; a drop closes the
 * connection before processing, or after it when `dropAfterProcessing` is set.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { EmulatorContext, Env } from '../emulator-context.ts';
import type { FaultDecision } from '../faults.ts';
import { xError } from '../x-response.ts';
import { recordRefused } from './record.ts';
import { type ConversionRequest, type Halt, NOT_AUTHENTICATED } from './request.ts';

/** The request goes on; `dropAfter` asks to drop the connection once it is processed. */
export type FaultPass = { ok: true; dropAfter: boolean };

/** Draws this request's fault and waits out its delay (latency, plus `slowMs` when slowed). */
export async function drawFault(ctx: EmulatorContext): Promise<FaultDecision> {
  const fault = ctx.faults.next();
  if (fault.slow) ctx.ledger.countFault('slowed');
  if (fault.delayMs > 0) await sleep(fault.delayMs);
  return fault;
}

/** Answers the request as X's failing infrastructure would, or lets it through. */
export async function applyFault(
  c: Context<Env>,
  ctx: EmulatorContext,
  request: ConversionRequest,
  fault: FaultDecision,
): Promise<FaultPass | Halt> {
  switch (fault.kind) {
    case 'server_error':
      return serverError(c, ctx, request, (fault.status ?? 500) as ContentfulStatusCode);
    case 'rate_limited':
      return rateLimited(c, ctx, request);
    case 'timeout':
      return hang(c, ctx, request);
    case 'dropped':
      return drop(ctx, request);
    default:
      return { ok: true, dropAfter: false };
  }
}

function serverError(
  c: Context<Env>,
  ctx: EmulatorContext,
  request: ConversionRequest,
  status: ContentfulStatusCode,
): Halt {
  ctx.ledger.countFault('server_error');
  const error =
    status === 503
      ? { code: 'SERVICE_UNAVAILABLE', message: 'Service unavailable' }
      : { code: 'INTERNAL_ERROR', message: 'Internal error' };
  recordRefused(ctx, request, NOT_AUTHENTICATED, {
    httpStatus: status,
    errors: [error],
    fault: 'server_error',
  });
  if (ctx.faults.config().serverErrorHtml) {
    const html = `<html><body><h1>${status} ${error.message}</h1></body></html>`;
    return { ok: false, response: c.html(html, status) };
  }
  return { ok: false, response: xError(c, status, [error], request.params) };
}

function rateLimited(c: Context<Env>, ctx: EmulatorContext, request: ConversionRequest): Halt {
  ctx.ledger.countFault('rate_limited');
  const retry = ctx.faults.config().retryAfterSeconds;
  const error = { code: 'TOO_MANY_REQUESTS', message: 'Rate limit exceeded' };
  recordRefused(ctx, request, NOT_AUTHENTICATED, {
    httpStatus: 429,
    errors: [error],
    fault: 'rate_limited',
  });
  const resetSec = ctx.wallSeconds() + retry;
  const response = xError(c, 429, [error], request.params, {
    'retry-after': String(retry),
    'x-rate-limit-remaining': '0',
    'x-rate-limit-reset': String(resetSec),
    'x-account-rate-limit-remaining': '0',
    'x-account-rate-limit-reset': String(resetSec),
  });
  return { ok: false, response };
}

/** Never answers: waits until the client closes the socket, `hangMs` passes or the emulator releases it. */
async function hang(
  c: Context<Env>,
  ctx: EmulatorContext,
  request: ConversionRequest,
): Promise<Halt> {
  ctx.ledger.countFault('timeout');
  recordRefused(ctx, request, NOT_AUTHENTICATED, {
    httpStatus: null,
    errors: [],
    fault: 'timeout',
  });
  await new Promise<void>((resolve) => {
    const done = () => {
      ctx.hung.delete(done);
      resolve();
    };
    ctx.hung.add(done);
    // The socket closes when the client gives up; stop hanging then.
    c.env?.incoming?.socket?.once('close', done);
    const hangMs = ctx.faults.config().hangMs;
    if (hangMs > 0) setTimeout(done, hangMs);
  });
  return { ok: false, drop: 'timeout' };
}

function drop(ctx: EmulatorContext, request: ConversionRequest): FaultPass | Halt {
  ctx.ledger.countFault('dropped');
  if (ctx.faults.config().dropAfterProcessing) return { ok: true, dropAfter: true };
  recordRefused(ctx, request, NOT_AUTHENTICATED, {
    httpStatus: null,
    errors: [],
    fault: 'dropped',
  });
  return { ok: false, drop: 'dropped before processing' };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
