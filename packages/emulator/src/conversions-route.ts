/**
 * `POST /:version/measurement/conversions/:pixel_id`: X's Conversion API
 * [REF12] [WC]. Injected faults first, then authentication (OAuth 1.0a or
 * X-Pixel-Token), the pixel and the user's access, rate limits, and every rule
 * on every conversion (all-or-nothing); accepted conversions go to the ledger.
 */
import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { CONVERSION_PERMISSIONS, lookupEvent } from './config.ts';
import {
  type CheckedConversion,
  checkBody,
  checkConversion,
  type XError,
} from './conversion-rules.ts';
import type { EmulatorContext, Env } from './emulator-context.ts';
import { parseEventId } from './event-key.ts';
import type { FaultKind } from './faults.ts';
import type { AuthResult, NewRecord } from './ledger.ts';
import type { BudgetStatus } from './rolling-budget.ts';
import { eventError, type RequestParams, unauthorized, xError } from './x-response.ts';

/** Raised (and re-thrown by the app) when the emulator drops a connection on purpose. */
export class DroppedConnectionError extends Error {
  constructor(reason: string) {
    super(`connection dropped by the emulator (${reason})`);
    this.name = 'DroppedConnectionError';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function destroySocket(c: Context<Env>): void {
  c.env?.incoming?.socket?.destroy();
}

function rateHeaders(
  request: BudgetStatus,
  account: BudgetStatus | undefined,
  toEpochSec: (ms: number) => number,
) {
  const h: Record<string, string> = {
    'x-rate-limit-limit': String(request.limit),
    'x-rate-limit-remaining': String(request.remaining),
    'x-rate-limit-reset': String(toEpochSec(request.resetAt)),
  };
  if (account) {
    h['x-account-rate-limit-limit'] = String(account.limit);
    h['x-account-rate-limit-remaining'] = String(account.remaining);
    h['x-account-rate-limit-reset'] = String(toEpochSec(account.resetAt));
  }
  return h;
}

export function mountConversions(app: Hono<Env>, ctx: EmulatorContext): void {
  const { config, clock, faults, ledger, accountBudget, requestBudget, tokens, hung } = ctx;
  const { wallSeconds, toEpochSec, accessSecrets } = ctx;
  const oauth = ctx.verifyOAuth;

  const recordRequest = (
    base: Omit<NewRecord, 'validation' | 'httpStatus' | 'fault'>,
    conversions: unknown[] | undefined,
    outcome: { status: number | null; errors: XError[]; fault: FaultKind | null },
  ) => {
    const now = clock.now();
    const validation = { ok: false, errors: outcome.errors };
    if (!conversions || conversions.length === 0) {
      ledger.add(
        { ...base, validation, httpStatus: outcome.status, fault: outcome.fault },
        now,
        false,
      );
      return;
    }
    for (const raw of conversions) {
      const { read } = checkConversion(raw);
      ledger.add(
        {
          ...base,
          ...fromChecked(read),
          validation,
          httpStatus: outcome.status,
          fault: outcome.fault,
        },
        now,
        false,
      );
    }
  };

  const fromChecked = (read: Partial<CheckedConversion>) => {
    const ids = read.identifiers ?? {};
    const parsed = read.eventIdSent ? parseEventId(read.eventIdSent) : undefined;
    return {
      eventId: read.eventIdSent ?? null,
      eventKey: parsed?.eventId ?? null,
      conversionId: read.conversionId ?? null,
      conversionTime: read.conversionTime ?? null,
      twclid: ids.twclid ?? null,
      hashedEmail: ids.hashed_email ?? null,
      hashedPhoneNumber: ids.hashed_phone_number ?? null,
      ipAddress: ids.ip_address ?? null,
      userAgent: ids.user_agent ?? null,
      value: read.value ?? null,
      currency: read.currency ?? null,
      numberItems: read.numberItems ?? null,
    };
  };

  const emptyCopy = (): Omit<
    NewRecord,
    'validation' | 'httpStatus' | 'fault' | 'auth' | 'debugId' | 'pixelId' | 'accountId'
  > => ({
    channel: 'capi',
    type: 'conversion',
    eventId: null,
    eventKey: null,
    conversionId: null,
    conversionTime: null,
    twclid: null,
    twclidSource: null,
    hashedEmail: null,
    hashedPhoneNumber: null,
    ipAddress: null,
    userAgent: null,
    value: null,
    currency: null,
    numberItems: null,
    pageUrl: null,
  });

  app.post(
    '/:version{[0-9]+}/measurement/conversions/:pixelId',
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: (c) =>
        xError(
          c,
          413,
          [
            {
              code: 'INVALID_REQUEST',
              message: `Request body exceeds ${config.maxBodyBytes} bytes`,
            },
          ],
          {},
        ),
    }),
    async (c) => {
      ledger.countRequest('capi');
      const pixelId = c.req.param('pixelId');
      const pixel = config.pixels.get(pixelId);
      const params: RequestParams = pixel ? { account_id: pixel.accountId } : { pixel_id: pixelId };
      const debugId = randomUUID();

      const fault = faults.next();
      if (fault.slow) ledger.countFault('slowed');
      if (fault.delayMs > 0) await sleep(fault.delayMs);

      const text = await c.req.text();
      let body: unknown;
      let bodyError: XError | undefined;
      try {
        body = JSON.parse(text);
      } catch {
        bodyError = {
          code: 'INVALID_PARAMETER',
          message: 'Request body must be valid JSON',
          parameter: 'conversions',
        };
      }
      const shape = bodyError ? undefined : checkBody(body);
      const conversions = shape?.conversions;

      let auth: AuthResult = { method: 'none', ok: false };
      const base = () => ({
        ...emptyCopy(),
        debugId,
        pixelId,
        accountId: pixel?.accountId ?? null,
        auth,
      });

      // Injected faults come first: they stand for X's infrastructure, not its rules.
      if (fault.kind === 'server_error') {
        ledger.countFault('server_error');
        const status = (fault.status ?? 500) as ContentfulStatusCode;
        const error =
          status === 503
            ? { code: 'SERVICE_UNAVAILABLE', message: 'Service unavailable' }
            : { code: 'INTERNAL_ERROR', message: 'Internal error' };
        recordRequest(base(), conversions, { status, errors: [error], fault: 'server_error' });
        if (faults.config().serverErrorHtml) {
          return c.html(`<html><body><h1>${status} ${error.message}</h1></body></html>`, status);
        }
        return xError(c, status, [error], params);
      }
      if (fault.kind === 'rate_limited') {
        ledger.countFault('rate_limited');
        const retry = faults.config().retryAfterSeconds;
        const error = { code: 'TOO_MANY_REQUESTS', message: 'Rate limit exceeded' };
        recordRequest(base(), conversions, { status: 429, errors: [error], fault: 'rate_limited' });
        const resetSec = wallSeconds() + retry;
        return xError(c, 429, [error], params, {
          'retry-after': String(retry),
          'x-rate-limit-remaining': '0',
          'x-rate-limit-reset': String(resetSec),
          'x-account-rate-limit-remaining': '0',
          'x-account-rate-limit-reset': String(resetSec),
        });
      }
      if (fault.kind === 'timeout') {
        ledger.countFault('timeout');
        recordRequest(base(), conversions, { status: null, errors: [], fault: 'timeout' });
        await new Promise<void>((resolve) => {
          const done = () => {
            hung.delete(done);
            resolve();
          };
          hung.add(done);
          // The socket closes when the client gives up; stop hanging then.
          c.env?.incoming?.socket?.once('close', done);
          const hangMs = faults.config().hangMs;
          if (hangMs > 0) setTimeout(done, hangMs);
        });
        destroySocket(c);
        throw new DroppedConnectionError('timeout');
      }
      const dropAfter = fault.kind === 'dropped' && faults.config().dropAfterProcessing;
      if (fault.kind === 'dropped') ledger.countFault('dropped');
      if (fault.kind === 'dropped' && !dropAfter) {
        recordRequest(base(), conversions, { status: null, errors: [], fault: 'dropped' });
        destroySocket(c);
        throw new DroppedConnectionError('dropped before processing');
      }

      // Authentication: X-Pixel-Token [GTM] or OAuth 1.0a [WC].
      let userKey: string;
      const pixelToken = c.req.header('x-pixel-token');
      if (pixelToken !== undefined) {
        const tokenPixel = config.pixelTokens.get(pixelToken);
        auth = tokenPixel
          ? { method: 'pixel_token', ok: tokenPixel === pixelId }
          : { method: 'pixel_token', ok: false, error: 'unknown X-Pixel-Token' };
        if (!auth.ok) {
          const error = tokenPixel
            ? {
                code: 'UNAUTHORIZED_ACCESS',
                message: `The X-Pixel-Token is not valid for pixel ${pixelId}`,
              }
            : unauthorized('unknown X-Pixel-Token');
          auth = { ...auth, error: error.message };
          return authFailure(c, tokenPixel ? 403 : 401, error, base(), conversions, params);
        }
        userKey = `pixel-token:${pixelToken}`;
      } else {
        const { result } = await oauth(c, accessSecrets, true);
        if (!result.ok) {
          auth = { method: 'oauth', ok: false, error: result.reason };
          return authFailure(c, 401, unauthorized(result.reason), base(), conversions, params);
        }
        const user = tokens.get(result.token as string)?.userId as string;
        auth = { method: 'oauth', ok: true, userId: user, consumerKey: result.consumerKey };
        userKey = `user:${user}`;
        if (pixel) {
          const perms = config.users.get(user)?.access[pixel.accountId] ?? [];
          if (!perms.some((p) => CONVERSION_PERMISSIONS.includes(p))) {
            const error = {
              code: 'UNAUTHORIZED_ACCESS',
              message: `User ${user} does not have AD_MANAGER or ACCOUNT_ADMIN access to ad account ${pixel.accountId}`,
            };
            auth = { ...auth, ok: false, error: error.message };
            return authFailure(c, 403, error, base(), conversions, params);
          }
        }
      }

      if (!pixel) {
        const error = {
          code: 'NOT_FOUND',
          message: `Pixel ${pixelId} not found`,
          parameter: 'pixel_id',
        };
        recordRequest(base(), conversions, { status: 404, errors: [error], fault: null });
        return xError(c, 404, [error], params);
      }

      // Rate limits: requests per user and endpoint; events per ad account [RL].
      const now = clock.now();
      const req = requestBudget.take(`${userKey}:conversions`, 1, now);
      const count = shape?.ok ? shape.conversions.length : 0;
      const acct = req.ok ? accountBudget.take(pixel.accountId, count, now) : undefined;
      const headers = rateHeaders(
        req.status,
        acct?.status ?? accountBudget.peek(pixel.accountId, now),
        toEpochSec,
      );
      if (!req.ok || (acct && !acct.ok)) {
        ledger.countRateLimited();
        const retryAt = !req.ok ? req.retryAt : acct && !acct.ok ? acct.retryAt : now;
        const retryAfter = Math.max(1, Math.ceil((retryAt - now) / 1000));
        const error = { code: 'TOO_MANY_REQUESTS', message: 'Rate limit exceeded' };
        recordRequest(base(), conversions, { status: 429, errors: [error], fault: null });
        return xError(c, 429, [error], params, { ...headers, 'retry-after': String(retryAfter) });
      }

      if (bodyError || !shape || !shape.ok) {
        const errors = bodyError ? [bodyError] : shape && !shape.ok ? shape.errors : [];
        recordRequest(base(), conversions, { status: 400, errors, fault: null });
        return xError(c, 400, errors, params, headers);
      }

      // Every rule on every conversion; the request is all-or-nothing [WC].
      const checks = shape.conversions.map((raw) => {
        const check = checkConversion(raw);
        const eventErrors: XError[] = [];
        let eventKey: string | null = null;
        if (check.read.eventIdSent !== undefined) {
          const found = lookupEvent(config, pixel, check.read.eventIdSent);
          if (found.ok) eventKey = found.eventId;
          else eventErrors.push(eventError(found.reason, check.read.eventIdSent, pixel));
        }
        return { check, eventErrors, eventKey };
      });
      const dataErrors = checks.flatMap((x) => x.check.errors);
      const eventErrors = checks.flatMap((x) => x.eventErrors);
      const malformedEvent = eventErrors.some((e) => e.code === 'INVALID_PARAMETER');
      if (dataErrors.length > 0 || eventErrors.length > 0) {
        const status =
          eventErrors.length > 0 &&
          !malformedEvent &&
          config.unknownEventStatus === 404 &&
          dataErrors.length === 0
            ? 404
            : 400;
        const errors = [...dataErrors, ...eventErrors];
        const at = clock.now();
        for (const { check, eventErrors: own } of checks) {
          ledger.add(
            {
              ...base(),
              ...fromChecked(check.read),
              validation: { ok: false, errors: [...check.storedErrors, ...own] },
              httpStatus: status,
              fault: null,
            },
            at,
            false,
          );
        }
        return xError(c, status as 400, errors, params, headers);
      }

      const at = clock.now();
      for (const { check, eventKey } of checks) {
        ledger.add(
          {
            ...base(),
            ...fromChecked(check.read),
            eventKey,
            validation: { ok: true, errors: [] },
            httpStatus: dropAfter ? null : 200,
            fault: dropAfter ? 'dropped' : null,
          },
          at,
          true,
        );
      }
      if (dropAfter) {
        destroySocket(c);
        throw new DroppedConnectionError('dropped after processing');
      }
      return c.json(
        { request: { params }, data: { conversions_processed: checks.length, debug_id: debugId } },
        200,
        headers,
      );
    },
  );

  function authFailure(
    c: Context<Env>,
    status: 401 | 403,
    error: XError,
    base: Omit<NewRecord, 'validation' | 'httpStatus' | 'fault'>,
    conversions: unknown[] | undefined,
    params: RequestParams,
  ) {
    ledger.countAuthFailure();
    recordRequest(base, conversions, { status, errors: [error], fault: null });
    return xError(c, status, [error], params);
  }
}
