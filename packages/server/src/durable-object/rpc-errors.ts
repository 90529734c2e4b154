/**
 * A `StoreUnavailableError` across the Durable Object RPC boundary.
 *
 * RPC carries an error's message (and a built-in error's name) but not its
 * class or fields, so the object throws one whose message starts with a
 * marker carrying `retryAfterS`, and the Worker's side turns it back into a
 * `StoreUnavailableError` (the kit answers 503 with `Retry-After`, as with a
 * locked SQLite file). An object the platform could not reach or reset
 * (its errors carry `retryable` or `overloaded`) is unavailable too.
 */
import { isStoreUnavailableError, StoreUnavailableError } from '../errors.ts';

const MARK = /^StoreUnavailableError\(retryAfterS=(\d+)\): ([\s\S]*)$/;

/** In the object: what to throw back to the caller for `error`. */
export function toRpcError(error: unknown): unknown {
  if (!isStoreUnavailableError(error)) return error;
  return new Error(`StoreUnavailableError(retryAfterS=${error.retryAfterS}): ${error.message}`);
}

/** In the Worker: the error a store method rejects with for what the stub threw. */
export function fromRpcError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const match = MARK.exec(error.message);
  if (match) {
    return new StoreUnavailableError(match[2] as string, {
      cause: error,
      retryAfterS: Number(match[1]),
    });
  }
  const flags = error as { retryable?: unknown; overloaded?: unknown };
  if (flags.retryable === true || flags.overloaded === true) {
    return new StoreUnavailableError(`The outbox object is unavailable (${error.message})`, {
      cause: error,
      retryAfterS: 1,
    });
  }
  return error;
}
