/**
 * The one shape of every rejection the route answers: `{ error: { code, message, field } }`.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export interface RejectionBody {
  error: { code: string; message: string; field?: string };
}

export function reject(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  field?: string,
): Response {
  const error: RejectionBody['error'] = { code, message };
  if (field !== undefined) error.field = field;
  return c.json({ error } satisfies RejectionBody, status);
}
