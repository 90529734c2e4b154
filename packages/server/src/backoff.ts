/**
 * Exponential backoff with jitter, as a pure function (randomness injected).
 * Jitter spreads retries of many instances so they do not hit X in lockstep
 * after an outage.
 */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter. Default: 1 000 ms. */
  baseMs?: number;
  /** Growth per attempt. Default: 2. */
  factor?: number;
  /** Upper bound of any single delay. Default: 5 minutes. */
  maxMs?: number;
  /** Share of the delay that is random: 0 = none, 1 = "full jitter". Default: 0.5. */
  jitter?: number;
  /** Uniform random number in [0, 1). Default: `Math.random`. */
  random?: () => number;
}

export const BACKOFF_DEFAULTS = {
  baseMs: 1_000,
  factor: 2,
  maxMs: 5 * 60_000,
  jitter: 0.5,
} as const;

/**
 * Delay before retry number `retry` (1 = first retry):
 * `min(maxMs, baseMs × factor^(retry−1))`, of which the `jitter` share is
 * random. With the defaults: 0.5–1 s, 1–2 s, 2–4 s, … up to 2.5–5 min.
 */
export function backoffDelay(retry: number, options: BackoffOptions = {}): number {
  const baseMs = options.baseMs ?? BACKOFF_DEFAULTS.baseMs;
  const factor = options.factor ?? BACKOFF_DEFAULTS.factor;
  const maxMs = options.maxMs ?? BACKOFF_DEFAULTS.maxMs;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? BACKOFF_DEFAULTS.jitter));
  const random = options.random ?? Math.random;
  const exponent = Math.max(0, Math.floor(retry) - 1);
  const capped = Math.min(maxMs, baseMs * factor ** exponent);
  return Math.round(capped * (1 - jitter + jitter * random()));
}
