/**
 * Wraps an entry point so nothing it does can throw into the host page: the
 * script runs on pages we do not control, and a broken conversion must never
 * break a checkout.
 */
export const safe =
  <A extends unknown[], R>(f: (...args: A) => R) =>
  (...args: A): R | undefined => {
    try {
      return f(...args);
    } catch {
      return undefined;
    }
  };
