/**
 * `active_entities` and the synchronous stats endpoint (docs/x-api.md §9).
 * Both need stats access; the synchronous endpoint spends the user's budget
 * of 250 requests per 15 minutes and answers with X's `x-rate-limit-*` headers.
 */
import type { Context, Hono } from 'hono';
import type { EmulatorContext, Env } from '../emulator-context.ts';
import { xError } from '../x-response.ts';
import { attributedConversions } from './attribution.ts';
import { authorizeRead } from './read-auth.ts';
import { buildStats } from './stats-body.ts';
import { parseStatsQuery } from './stats-params.ts';

/** Longest span active_entities accepts (docs/x-api.md §9). */
const ACTIVE_ENTITIES_MAX_MS = 90 * 24 * 3_600_000;

export const queryParams = (c: Context<Env>): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of new URL(c.req.url).searchParams) out[k] = v;
  return out;
};

function activeEntitiesError(
  params: Record<string, string>,
): { parameter: string; message: string } | null {
  if (!params.entity) return { parameter: 'entity', message: 'entity is required' };
  if (params.entity !== 'CAMPAIGN') {
    return { parameter: 'entity', message: 'entity: the emulator lists CAMPAIGN only' };
  }
  for (const name of ['start_time', 'end_time']) {
    const raw = params[name];
    if (!raw) return { parameter: name, message: `${name} is required` };
    if (!Number.isFinite(Date.parse(raw))) {
      return { parameter: name, message: `${name} (${raw}) must be an ISO 8601 time` };
    }
  }
  const span = Date.parse(params.end_time as string) - Date.parse(params.start_time as string);
  if (span <= 0) return { parameter: 'end_time', message: 'end_time must be after start_time' };
  if (span > ACTIVE_ENTITIES_MAX_MS) {
    return { parameter: 'end_time', message: 'end_time may be at most 90 days after start_time' };
  }
  return null;
}

export function mountStats(app: Hono<Env>, ctx: EmulatorContext): void {
  app.get('/:version{[0-9]+}/stats/accounts/:accountId/active_entities', async (c) => {
    const accountId = c.req.param('accountId');
    const params: Record<string, string> = { account_id: accountId, ...queryParams(c) };
    const access = await authorizeRead(c, ctx, accountId, params, 'stats');
    if (!access.ok) return access.response;
    const bad = activeEntitiesError(params);
    if (bad) {
      const code = params[bad.parameter] ? 'INVALID_PARAMETER' : 'MISSING_PARAMETER';
      return xError(c, 400, [{ code, ...bad }], params);
    }
    const campaigns = ctx.config.accountsById.get(accountId)?.campaigns ?? [];
    const data = campaigns.map((campaign) => ({
      entity_id: campaign.id,
      activity_start_time: params.start_time,
      activity_end_time: params.end_time,
      placements: ['ALL_ON_TWITTER'],
    }));
    return c.json({ data, request: { params } });
  });

  app.get('/:version{[0-9]+}/stats/accounts/:accountId', async (c) => {
    const accountId = c.req.param('accountId');
    const params: Record<string, string> = { account_id: accountId, ...queryParams(c) };
    const access = await authorizeRead(c, ctx, accountId, params, 'stats');
    if (!access.ok) return access.response;
    const now = ctx.clock.now();
    const taken = ctx.statsBudget.take(`user:${access.userId}:stats`, 1, now);
    const headers = {
      'x-rate-limit-limit': String(taken.status.limit),
      'x-rate-limit-remaining': String(taken.status.remaining),
      'x-rate-limit-reset': String(ctx.toEpochSec(taken.status.resetAt)),
    };
    if (!taken.ok) {
      ctx.ledger.countRateLimited();
      const retryAfter = String(Math.max(1, Math.ceil((taken.retryAt - now) / 1000)));
      const error = { code: 'TOO_MANY_REQUESTS', message: 'Rate limit exceeded' };
      return xError(c, 429, [error], params, { ...headers, 'retry-after': retryAfter });
    }
    const account = ctx.config.accountsById.get(accountId);
    if (!account) return xError(c, 404, [{ code: 'NOT_FOUND', message: 'no account' }], params);
    const parsed = parseStatsQuery(params, account, 'sync');
    if (!parsed.ok) return xError(c, 400, [parsed.error], params, headers);
    const attributed = attributedConversions(ctx, accountId);
    return c.json(buildStats(parsed.query, attributed, account.timezone, params), 200, headers);
  });
}
