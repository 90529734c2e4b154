/**
 * A send outcome as text, one way for every part of the kit: the dispatcher's
 * logs and dead-letter reasons, the retry policy's reasons, and the CLI's
 * messages all read the same.
 */
import type { SendOutcome, XApiError } from './x-types.ts';

/** One of X's errors: `INVALID_PARAMETER (event_id): …` (docs/x-api.md §2 gives the shape). */
export function describeXError(error: XApiError): string {
  return `${error.code}${error.parameter ? ` (${error.parameter})` : ''}: ${error.message}`;
}

/** Every error X listed, joined with `; `. */
export function describeXErrors(errors: readonly XApiError[]): string {
  return errors.map(describeXError).join('; ');
}

/**
 * An outcome in one line: `HTTP 400: <X's messages>`, `HTTP 503` when X gave no
 * message, `timeout: no answer within 10000 ms` when X did not answer.
 */
export function describeOutcome(outcome: SendOutcome): string {
  if (outcome.ok) return `HTTP ${outcome.status}`;
  if (outcome.kind === 'network' || outcome.kind === 'timeout') {
    return `${outcome.kind}: ${outcome.message}`;
  }
  const messages = outcome.errors.map((e) => e.message).filter((m) => m !== '');
  return messages.length > 0
    ? `HTTP ${outcome.status}: ${messages.join('; ')}`
    : `HTTP ${outcome.status}`;
}
