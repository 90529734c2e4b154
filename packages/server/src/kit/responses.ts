/**
 * The kit's refusals: every one is the JSON shape of `safety/reject.ts`, and
 * every one the kit answers itself is counted in `counters.rejected`.
 */
import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { isStoreUnavailableError, type StoreUnavailableError } from '../errors.ts';
import { reject } from '../safety/reject.ts';
import { inputFieldToWire } from '../wire-event.ts';
import type { Logger, ValidationIssue } from '../x-types.ts';
import type { Counters } from './intake.ts';

export type RefusalStatus = 400 | 403 | 413 | 415 | 429 | 503;

export interface Responses {
  /** A counted rejection `{ error: { code, message, field } }`. */
  refuse(
    c: Context,
    status: RefusalStatus,
    code: string,
    message: string,
    field?: string,
  ): Response;
  /** 503 while the kit shuts down. */
  stopping(c: Context): Response;
  /** 413 for a body over the limit. */
  tooLarge(c: Context): Response;
  /**
   * 400 listing validation issues; `toWire` renames input fields to the wire's
   * (`numberItems` → `number_items`) for issues that came from `buildConversion`.
   */
  issues(c: Context, issues: readonly ValidationIssue[], toWire: boolean): Response;
}

/**
 * Creates the kit's responses.
 *
 * @param counters the kit's counters; each refusal adds one to `rejected`.
 * @param maxBody the body limit in bytes, named in the 413's message.
 */
export function createResponses(counters: Counters, maxBody: number): Responses {
  const refuse: Responses['refuse'] = (c, status, code, message, field) => {
    counters.rejected++;
    return reject(c, status, code, message, field);
  };
  return {
    refuse,
    stopping: (c) => refuse(c, 503, 'shutting_down', 'The server is shutting down; retry shortly'),
    tooLarge: (c) =>
      refuse(c, 413, 'body_too_large', `The request body exceeds ${maxBody} bytes`, 'body'),
    issues(c, issues, toWire) {
      const first = issues[0] ?? { field: 'body', message: 'is invalid' };
      const field = toWire ? inputFieldToWire(first.field) : first.field;
      counters.rejected++;
      return c.json(
        {
          error: { code: 'invalid_field', message: `${field} ${first.message}`, field },
          issues: issues.map((i) => ({
            field: toWire ? inputFieldToWire(i.field) : i.field,
            message: i.message,
          })),
        },
        400,
      );
    },
  };
}

/**
 * 503 with `Retry-After` for a store that could not take the event (a file
 * locked by another process past the busy timeout, a full disk): nothing was
 * stored, so the client must not take it for accepted, and may retry.
 */
export function storeUnavailable(c: Context, error: StoreUnavailableError): Response {
  c.header('Retry-After', String(Math.max(1, Math.ceil(error.retryAfterS))));
  return reject(c, 503, 'store_unavailable', 'The event could not be stored now; retry shortly');
}

/**
 * The kit's `onError`: Hono's own HTTP errors (e.g. from middleware) keep the
 * JSON rejection shape; a store that cannot write answers 503 with
 * `Retry-After` (and is reported to `onStoreUnavailable`, for `/health`);
 * anything else is logged and answered 500.
 */
export function kitErrorHandler(
  logger: Logger,
  onStoreUnavailable?: (error: StoreUnavailableError) => void,
): ErrorHandler {
  return function twclidError(error, c) {
    if (error instanceof HTTPException && error.status < 500) {
      return reject(c, error.status as 400, 'rejected', error.message || 'Rejected');
    }
    if (isStoreUnavailableError(error)) {
      onStoreUnavailable?.(error);
      return storeUnavailable(c, error);
    }
    logger.log('error', 'route.error', {
      error: error instanceof Error ? error.message : String(error),
    });
    return reject(c, 500, 'internal_error', 'The event could not be stored');
  };
}
