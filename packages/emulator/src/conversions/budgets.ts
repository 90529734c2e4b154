/**
 * The rate-limit stage: requests per user and endpoint, and events per ad
 * account, each over a rolling window [RL]. Every later answer carries the
 * `x-rate-limit-*` and `x-account-rate-limit-*` headers this stage computes.
 */
import type { Context } from 'hono';
import type { ResolvedPixel } from '../config.ts';
import type { EmulatorContext, Env } from '../emulator-context.ts';
import type { AuthResult } from '../ledger.ts';
import type { BudgetStatus } from '../rolling-budget.ts';
import { xError } from '../x-response.ts';
import { recordRefused } from './record.ts';
import type { ConversionRequest, Halt } from './request.ts';

export type RateHeaders = Record<string, string>;

/**
 * Takes one request from the user's budget and, when that fits, the request's
 * conversions from the account's; past either, answers 429 with Retry-After.
 */
export function takeBudgets(
  c: Context<Env>,
  ctx: EmulatorContext,
  request: ConversionRequest,
  sender: { auth: AuthResult; userKey: string },
  pixel: ResolvedPixel,
): { ok: true; headers: RateHeaders } | Halt {
  const { accountBudget, requestBudget } = ctx;
  const now = ctx.clock.now();
  const req = requestBudget.take(`${sender.userKey}:conversions`, 1, now);
  const count = request.body.ok ? request.body.conversions.length : 0;
  const acct = req.ok ? accountBudget.take(pixel.accountId, count, now) : undefined;
  const headers = rateHeaders(
    req.status,
    acct?.status ?? accountBudget.peek(pixel.accountId, now),
    ctx.toEpochSec,
  );
  if (req.ok && (!acct || acct.ok)) return { ok: true, headers };

  ctx.ledger.countRateLimited();
  const retryAt = !req.ok ? req.retryAt : acct && !acct.ok ? acct.retryAt : now;
  const retryAfter = Math.max(1, Math.ceil((retryAt - now) / 1000));
  const error = { code: 'TOO_MANY_REQUESTS', message: 'Rate limit exceeded' };
  recordRefused(ctx, request, sender.auth, { httpStatus: 429, errors: [error], fault: null });
  const response = xError(c, 429, [error], request.params, {
    ...headers,
    'retry-after': String(retryAfter),
  });
  return { ok: false, response };
}

function rateHeaders(
  request: BudgetStatus,
  account: BudgetStatus,
  toEpochSec: (ms: number) => number,
): RateHeaders {
  return {
    'x-rate-limit-limit': String(request.limit),
    'x-rate-limit-remaining': String(request.remaining),
    'x-rate-limit-reset': String(toEpochSec(request.resetAt)),
    'x-account-rate-limit-limit': String(account.limit),
    'x-account-rate-limit-remaining': String(account.remaining),
    'x-account-rate-limit-reset': String(toEpochSec(account.resetAt)),
  };
}
