/**
 * Who may read tags and stats (docs/x-api.md §9 "Access"): an OAuth 1.0a
 * signed request (the X-Pixel-Token serves the conversions endpoint only), a
 * user with a role on the account and, for stats, an app with Standard access
 * and a role that can view stats.
 */
import type { Context } from 'hono';
import type { Permission } from '../config.ts';
import type { EmulatorContext, Env } from '../emulator-context.ts';
import { type RequestParams, unauthorized, xError } from '../x-response.ts';

/** Roles that can view an account's stats (docs/x-api.md §9). */
export const STATS_PERMISSIONS: readonly Permission[] = [
  'ACCOUNT_ADMIN',
  'AD_MANAGER',
  'CAMPAIGN_ANALYST',
];

export type ReadAccess =
  | { ok: true; userId: string; permissions: Permission[]; formBody: string | undefined }
  | { ok: false; response: Response };

/**
 * Authenticates a read and checks the account and the user's role on it;
 * `need: 'stats'` also checks the app's access level and a stats role.
 */
export async function authorizeRead(
  c: Context<Env>,
  ctx: EmulatorContext,
  accountId: string,
  params: RequestParams,
  need: 'read' | 'stats',
): Promise<ReadAccess> {
  const refuse = (status: 401 | 403 | 404, code: string, message: string, parameter?: string) => ({
    ok: false as const,
    response: xError(c, status, [{ code, message, ...(parameter ? { parameter } : {}) }], params),
  });
  const { result, formBody } = await ctx.verifyOAuth(c, ctx.accessSecrets, true);
  if (!result.ok) {
    ctx.ledger.countAuthFailure();
    const reason =
      c.req.header('x-pixel-token') !== undefined && !c.req.header('authorization')
        ? 'the X-Pixel-Token authenticates the conversions endpoint only; this endpoint needs OAuth 1.0a'
        : result.reason;
    const error = unauthorized(reason);
    return refuse(401, error.code, error.message);
  }
  if (!ctx.config.accountsById.has(accountId)) {
    return refuse(404, 'NOT_FOUND', `Account ${accountId} not found`, 'account_id');
  }
  const userId = ctx.tokens.get(result.token as string)?.userId as string;
  const permissions = ctx.config.users.get(userId)?.access[accountId] ?? [];
  if (permissions.length === 0) {
    const message = `User ${userId} is not authorized to access ad account ${accountId}`;
    return refuse(403, 'UNAUTHORIZED_ACCESS', message);
  }
  if (need === 'stats') {
    if (ctx.config.consumerAccess.get(result.consumerKey as string) === 'conversion_only') {
      const message =
        'The client application making this request has Conversion Only access to the X Ads API; analytics need Standard access';
      return refuse(403, 'UNAUTHORIZED_CLIENT_APPLICATION', message);
    }
    if (!permissions.some((p) => STATS_PERMISSIONS.includes(p))) {
      const message = `User ${userId} cannot view stats of ad account ${accountId}: needs ${STATS_PERMISSIONS.join(', ')}`;
      return refuse(403, 'UNAUTHORIZED_ACCESS', message);
    }
  }
  return { ok: true, userId, permissions: [...permissions], formBody };
}
