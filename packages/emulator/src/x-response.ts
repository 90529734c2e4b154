/**
 * X-shaped response bodies [ERR] [WC] and the status a given error code has.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
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
