/**
 * The package's error family: one base class, a few subclasses, and type
 * guards that also recognise errors thrown by a second copy of this package
 * (duplicated bundles break `instanceof`, so the guards check a brand too).
 */
import type { ValidationIssue } from './x-types.ts';

const BRAND = Symbol.for('twclid-kit.error');

/** Base class of every error this package throws. */
export class TwclidKitError extends Error {
  readonly [BRAND] = true;
  override name = 'TwclidKitError';
}

/** Configuration is missing or contradictory; `variable` names the culprit (e.g. `X_PIXEL_ID`). */
export class ConfigError extends TwclidKitError {
  override name = 'ConfigError';
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.variable = variable;
  }
}

/** An input failed validation; `issues` lists every problem by field. */
export class ValidationError extends TwclidKitError {
  override name = 'ValidationError';
  readonly issues: ValidationIssue[];
  constructor(issues: ValidationIssue[]) {
    super(
      `Invalid conversion: ${issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ')}`,
    );
    this.issues = issues;
  }
}

/**
 * The outbox could not be reached in time: another process held the SQLite
 * file's write lock past the busy timeout, the disk is full, or a networked
 * store is down. Nothing was stored; the request may be retried after
 * `retryAfterS` seconds (the kit answers 503 with `Retry-After`).
 */
export class StoreUnavailableError extends TwclidKitError {
  override name = 'StoreUnavailableError';
  readonly retryAfterS: number;
  constructor(message: string, options: { cause?: unknown; retryAfterS?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterS = options.retryAfterS ?? 1;
  }
}

function hasBrand(error: unknown): error is TwclidKitError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error instanceof TwclidKitError || (error as Record<symbol, unknown>)[BRAND] === true)
  );
}

/** `true` for any error of this package, from this or another copy of it. */
export function isTwclidKitError(error: unknown): error is TwclidKitError {
  return hasBrand(error);
}

/** `true` for a {@link ConfigError}, from this or another copy of the package. */
export function isConfigError(error: unknown): error is ConfigError {
  return hasBrand(error) && error.name === 'ConfigError';
}

/** `true` for a {@link ValidationError}, from this or another copy of the package. */
export function isValidationError(error: unknown): error is ValidationError {
  return hasBrand(error) && error.name === 'ValidationError';
}

/** `true` for a {@link StoreUnavailableError}, from this or another copy of the package. */
export function isStoreUnavailableError(error: unknown): error is StoreUnavailableError {
  return hasBrand(error) && error.name === 'StoreUnavailableError';
}
