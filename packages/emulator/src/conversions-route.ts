/**
 * `POST /:version/measurement/conversions/:pixel_id`: X's Conversion API
 * [REF12] [WC], as a pipeline of stages (each in conversions/): injected faults
 * first, then authentication (OAuth 1.0a or X-Pixel-Token), the pixel and the
 * user's access, rate limits, and every rule on every conversion
 * (all-or-nothing); accepted conversions go to the ledger. A stage that ends the
 * request returns a `Halt`; only here does a deliberate drop become a throw.
 */
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { authenticate, requirePixel } from './conversions/authenticate.ts';
import { type RateHeaders, takeBudgets } from './conversions/budgets.ts';
import { applyFault, drawFault } from './conversions/faults.ts';
import { recordAccepted } from './conversions/record.ts';
import { type ConversionRequest, type Halt, readConversionRequest } from './conversions/request.ts';
import { validate } from './conversions/validate.ts';
import type { EmulatorContext, Env } from './emulator-context.ts';
import { xError } from './x-response.ts';

/** Raised (and re-thrown by the app) when the emulator drops a connection on purpose. */
export class DroppedConnectionError extends Error {
  constructor(reason: string) {
    super(`connection dropped by the emulator (${reason})`);
    this.name = 'DroppedConnectionError';
  }
}

export function mountConversions(app: Hono<Env>, ctx: EmulatorContext): void {
  const { maxBodyBytes } = ctx.config;
  const tooLarge = {
    code: 'INVALID_REQUEST',
    message: `Request body exceeds ${maxBodyBytes} bytes`,
  };

  app.post(
    '/:version{[0-9]+}/measurement/conversions/:pixelId',
    bodyLimit({ maxSize: maxBodyBytes, onError: (c) => xError(c, 413, [tooLarge], {}) }),
    async function handleConversions(c) {
      ctx.ledger.countRequest('capi');
      const fault = await drawFault(ctx);
      const request = await readConversionRequest(c, ctx.config);
      const passed = await applyFault(c, ctx, request, fault);
      if (!passed.ok) return halt(c, passed);
      const sender = await authenticate(c, ctx, request);
      if (!sender.ok) return halt(c, sender);
      const found = requirePixel(c, ctx, request, sender.auth);
      if (!found.ok) return halt(c, found);
      const budgets = takeBudgets(c, ctx, request, sender, found.pixel);
      if (!budgets.ok) return halt(c, budgets);
      const valid = validate(c, ctx, request, sender.auth, found.pixel, budgets.headers);
      if (!valid.ok) return halt(c, valid);
      recordAccepted(ctx, request, sender.auth, valid.conversions, passed.dropAfter);
      if (passed.dropAfter) return halt(c, { ok: false, drop: 'dropped after processing' });
      return respond(c, request, valid.conversions.length, budgets.headers);
    },
  );
}

/** X's success shape [WC]. */
function respond(
  c: Context<Env>,
  request: ConversionRequest,
  processed: number,
  headers: RateHeaders,
): Response {
  const data = { conversions_processed: processed, debug_id: request.debugId };
  return c.json({ request: { params: request.params }, data }, 200, headers);
}

/** Ends the request as a stage decided: its response, or a dropped connection. */
function halt(c: Context<Env>, stop: Halt): Response {
  if ('response' in stop) return stop.response;
  c.env?.incoming?.socket?.destroy();
  throw new DroppedConnectionError(stop.drop);
}
