/**
 * The authentication stage: who sends the request, and may they send it for
 * this pixel. Authentication is X-Pixel-Token [GTM] or OAuth 1.0a [WC]; an
 * OAuth user needs AD_MANAGER or ACCOUNT_ADMIN on the pixel's ad account.
 * Then the pixel itself must exist.
 */
import type { Context } from 'hono';
import { CONVERSION_PERMISSIONS, type ResolvedPixel } from '../config.ts';
import type { XError } from '../conversion-rules.ts';
import type { EmulatorContext, Env } from '../emulator-context.ts';
import type { AuthResult } from '../ledger.ts';
import { unauthorized, xError } from '../x-response.ts';
import { recordRefused } from './record.ts';
import type { ConversionRequest, Halt } from './request.ts';

/** An authenticated sender: `userKey` names whose request budget the request spends. */
export type Authenticated = { ok: true; auth: AuthResult; userKey: string };

export async function authenticate(
  c: Context<Env>,
  ctx: EmulatorContext,
  request: ConversionRequest,
): Promise<Authenticated | Halt> {
  const pixelToken = c.req.header('x-pixel-token');
  return pixelToken !== undefined
    ? byPixelToken(c, ctx, request, pixelToken)
    : byOAuth(c, ctx, request);
}

function byPixelToken(
  c: Context<Env>,
  ctx: EmulatorContext,
  request: ConversionRequest,
  pixelToken: string,
): Authenticated | Halt {
  const tokenPixel = ctx.config.pixelTokens.get(pixelToken);
  if (tokenPixel === request.pixelId) {
    return {
      ok: true,
      auth: { method: 'pixel_token', ok: true },
      userKey: `pixel-token:${pixelToken}`,
    };
  }
  const error = tokenPixel
    ? {
        code: 'UNAUTHORIZED_ACCESS',
        message: `The X-Pixel-Token is not valid for pixel ${request.pixelId}`,
      }
    : unauthorized('unknown X-Pixel-Token');
  const auth: AuthResult = { method: 'pixel_token', ok: false, error: error.message };
  return refuse(c, ctx, request, auth, tokenPixel ? 403 : 401, error);
}

async function byOAuth(
  c: Context<Env>,
  ctx: EmulatorContext,
  request: ConversionRequest,
): Promise<Authenticated | Halt> {
  const { result } = await ctx.verifyOAuth(c, ctx.accessSecrets, true);
  if (!result.ok) {
    const auth: AuthResult = { method: 'oauth', ok: false, error: result.reason };
    return refuse(c, ctx, request, auth, 401, unauthorized(result.reason));
  }
  const user = ctx.tokens.get(result.token as string)?.userId as string;
  const auth: AuthResult = {
    method: 'oauth',
    ok: true,
    userId: user,
    consumerKey: result.consumerKey,
  };
  const { pixel } = request;
  if (pixel && !mayConvert(ctx, user, pixel)) {
    const error = {
      code: 'UNAUTHORIZED_ACCESS',
      message: `User ${user} does not have AD_MANAGER or ACCOUNT_ADMIN access to ad account ${pixel.accountId}`,
    };
    return refuse(c, ctx, request, { ...auth, ok: false, error: error.message }, 403, error);
  }
  return { ok: true, auth, userKey: `user:${user}` };
}

function mayConvert(ctx: EmulatorContext, user: string, pixel: ResolvedPixel): boolean {
  const perms = ctx.config.users.get(user)?.access[pixel.accountId] ?? [];
  return perms.some((p) => CONVERSION_PERMISSIONS.includes(p));
}

function refuse(
  c: Context<Env>,
  ctx: EmulatorContext,
  request: ConversionRequest,
  auth: AuthResult,
  status: 401 | 403,
  error: XError,
): Halt {
  ctx.ledger.countAuthFailure();
  recordRefused(ctx, request, auth, { httpStatus: status, errors: [error], fault: null });
  return { ok: false, response: xError(c, status, [error], request.params) };
}

/** The pixel must exist (404 NOT_FOUND otherwise); checked once the sender is authenticated. */
export function requirePixel(
  c: Context<Env>,
  ctx: EmulatorContext,
  request: ConversionRequest,
  auth: AuthResult,
): { ok: true; pixel: ResolvedPixel } | Halt {
  if (request.pixel) return { ok: true, pixel: request.pixel };
  const error = {
    code: 'NOT_FOUND',
    message: `Pixel ${request.pixelId} not found`,
    parameter: 'pixel_id',
  };
  recordRefused(ctx, request, auth, { httpStatus: 404, errors: [error], fault: null });
  return { ok: false, response: xError(c, 404, [error], request.params) };
}
