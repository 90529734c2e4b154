/**
 * Exit codes of the `twclid-kit` command, the same for every subcommand so
 * scripts can branch on them.
 */

/** Everything worked. */
export const EXIT_OK = 0;
/** The command ran but reports failures (rejected rows, X errors, a failed check). */
export const EXIT_FAILURES = 1;
/** Wrong usage or configuration: nothing was sent. */
export const EXIT_USAGE = 2;

export type ExitCode = typeof EXIT_OK | typeof EXIT_FAILURES | typeof EXIT_USAGE;

/**
 * Wrong flags, a missing file, contradictory configuration: the command stops
 * before doing anything and exits with {@link EXIT_USAGE}. `hint` tells the
 * user what to do instead.
 */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}

/**
 * The command started but cannot go on (X refuses the credentials, X stays
 * down past the retry budget). Exits with {@link EXIT_FAILURES}; work already
 * done is kept (e.g. the upload state file).
 */
export class CommandFailed extends Error {
  override name = 'CommandFailed';
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}
