/**
 * `GET /:version/accounts/:account_id/authenticated_user_access`: the signed-in
 * user's permissions on an ad account (X Ads API campaign management reference).
 */
import type { Hono } from 'hono';
import { authorizeRead } from './analytics/read-auth.ts';
import type { EmulatorContext, Env } from './emulator-context.ts';

export function mountAccessLevel(app: Hono<Env>, ctx: EmulatorContext): void {
  app.get('/:version{[0-9]+}/accounts/:accountId/authenticated_user_access', async (c) => {
    const accountId = c.req.param('accountId');
    const params = { account_id: accountId };
    const access = await authorizeRead(c, ctx, accountId, params, 'read');
    if (!access.ok) return access.response;
    return c.json({
      data: { user_id: access.userId, permissions: access.permissions },
      request: { params },
    });
  });
}
