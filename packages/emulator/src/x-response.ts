/**
 * X-shaped response bodies [ERR] [WC] and the status a given error code has.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ResolvedPixel } from './config.ts';
import type { XError } from './conversion-rules.ts';

export type RequestParams = Record<string, string>;

/** `{"errors":[...],"request":{"params":{...}}}` with the given status. */
export function xError(
  c: Context,
  status: ContentfulStatusCode,
  errors: XError[],
  params: RequestParams,
  headers: Record<string, string> = {},
): Response {
  return c.json({ errors, request: { params } }, status, headers);
}

/** X's 401 message for any authentication failure, with the reason appended for debugging. */
export function unauthorized(reason: string): XError {
  return {
    code: 'UNAUTHORIZED_ACCESS',
    message: `This request is not properly authenticated: ${reason}`,
  };
}

/**
 * The error for an event ID the pixel does not have. X names both
 * `WEB_EVENT_TAG_NOT_FOUND` and "event_id does not belong to provided account" [ERR].
 */
export function eventError(
  reason: 'malformed' | 'not_found' | 'other_account',
  sent: string,
  pixel: ResolvedPixel,
): XError {
  if (reason === 'malformed') {
    return {
      code: 'INVALID_PARAMETER',
      message: `event_id (${sent}) must be a base-36 event ID or tw-<pixel_id>-<event_id>`,
      parameter: 'event_id',
    };
  }
  if (reason === 'other_account') {
    return {
      code: 'WEB_EVENT_TAG_NOT_FOUND',
      message: 'event_id does not belong to provided account',
      parameter: 'event_id',
    };
  }
  return {
    code: 'WEB_EVENT_TAG_NOT_FOUND',
    message: `Web event tag ${sent} not found for pixel ${pixel.id}`,
    parameter: 'event_id',
  };
}
