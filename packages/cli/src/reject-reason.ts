/**
 * The reason written next to a row in the reject file: the column (as the
 * upload names it) and the problem, never the value.
 */

/** Core field names → upload column names, for reject reasons. */
const COLUMN_OF: Record<string, string> = {
  eventId: 'event_id',
  conversionId: 'conversion_id',
  conversionTime: 'conversion_time',
  ip: 'ip_address',
  userAgent: 'user_agent',
  numberItems: 'number_items',
  eventSourceUrl: 'event_source_url',
  currency: 'currency',
};

function columnOf(field: string): string {
  const [head, ...rest] = field.split(/(?=[.[])/);
  const mapped = COLUMN_OF[head as string] ?? (head as string);
  return [mapped, ...rest].join('');
}

/**
 * Reject reasons name the column and the problem, never the value: a raw
 * email or phone must not leak into the reason (the original row next to it is
 * the user's own data). As a second line of defence any raw identifier that
 * still appears is replaced.
 */
export function rejectReason(
  issues: readonly { field: string; message: string }[],
  secrets: readonly unknown[],
): string {
  let reason = issues.map((issue) => `${columnOf(issue.field)}: ${issue.message}`).join('; ');
  for (const secret of secrets) {
    if (typeof secret === 'string' && secret.trim().length >= 3) {
      reason = reason.split(secret.trim()).join('<redacted>');
    }
  }
  return reason;
}
