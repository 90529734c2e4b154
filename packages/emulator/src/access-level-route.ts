/**
 * `GET /:version/accounts/:account_id/authenticated_user_access`: the signed-in
 * user's permissions on an ad account (X Ads API campaign management reference).
 */
import type { Hono } from 'hono';
import type { EmulatorContext, Env } from './emulator-context.ts';
import { unauthorized, xError } from './x-response.ts';

export function mountAccessLevel(app: Hono<Env>, ctx: EmulatorContext): void {
  const { config, ledger, tokens, accessSecrets } = ctx;
  const oauth = ctx.verifyOAuth;

  app.get('/:version{[0-9]+}/accounts/:accountId/authenticated_user_access', async (c) => {
    const accountId = c.req.param('accountId');
    const params = { account_id: accountId };
    const { result } = await oauth(c, accessSecrets, true);
    if (!result.ok) {
      ledger.countAuthFailure();
      return xError(c, 401, [unauthorized(result.reason)], params);
    }
    if (!config.accounts.some((a) => a.id === accountId)) {
      return xError(
        c,
        404,
        [{ code: 'NOT_FOUND', message: `Account ${accountId} not found`, parameter: 'account_id' }],
        params,
      );
    }
    const userId = tokens.get(result.token as string)?.userId as string;
    const permissions = config.users.get(userId)?.access[accountId] ?? [];
    if (permissions.length === 0) {
      return xError(
        c,
        403,
        [
          {
            code: 'UNAUTHORIZED_ACCESS',
            message: `User ${userId} is not authorized to access ad account ${accountId}`,
          },
        ],
        params,
      );
    }
    return c.json({
      data: { user_id: userId, permissions: [...permissions] },
      request: { params },
    });
  });
}
