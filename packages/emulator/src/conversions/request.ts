/**
 * One Conversion API request as the stages see it: the pixel it names, the
 * `request.params` X echoes, its debug_id and its body, parsed once here. Also
 * the value a stage returns when the request ends there.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import type { ResolvedConfig, ResolvedPixel } from '../config.ts';
import { type BodyCheck, checkBody } from '../conversion-rules.ts';
import type { Env } from '../emulator-context.ts';
import type { AuthResult } from '../ledger.ts';
import type { RequestParams } from '../x-response.ts';

export interface ConversionRequest {
  pixelId: string;
  /** Undefined for a pixel the emulator does not know (404 after authentication). */
  pixel: ResolvedPixel | undefined;
  /** X echoes `account_id` for a known pixel, else the `pixel_id` it was given. */
  params: RequestParams;
  debugId: string;
  /** The body's shape: the conversions to check, or why there are none (not JSON included). */
  body: BodyCheck;
}

/** How a stage ends the request: with X's response, or by dropping the connection. */
export type Halt = { ok: false; response: Response } | { ok: false; drop: string };

/** Who sent the request, before authentication has run. */
export const NOT_AUTHENTICATED: AuthResult = { method: 'none', ok: false };

/** Reads the pixel, params and body of a Conversion API request. */
export async function readConversionRequest(
  c: Context<Env>,
  config: ResolvedConfig,
): Promise<ConversionRequest> {
  const pixelId = c.req.param('pixelId') as string;
  const pixel = config.pixels.get(pixelId);
  const params: RequestParams = pixel ? { account_id: pixel.accountId } : { pixel_id: pixelId };
  return { pixelId, pixel, params, debugId: randomUUID(), body: parseBody(await c.req.text()) };
}

function parseBody(text: string): BodyCheck {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return {
      ok: false,
      errors: [
        {
          code: 'INVALID_PARAMETER',
          message: 'Request body must be valid JSON',
          parameter: 'conversions',
        },
      ],
    };
  }
  return checkBody(body);
}
