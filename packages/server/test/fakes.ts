import type { AttemptState } from '../src/retry.ts';

/**
 * Fakes for the pieces the dispatcher and the route are built from.
 */
import type {
  CapiConversion,
  Logger,
  LogLevel,
  RateBudget,
  RateLimitInfo,
  RetryDecision,
  SendOutcome,
  XClient,
} from '../src/x-types.ts';

export interface FakeX extends XClient {
  /** Every request: the pixel and the conversions it carried. */
  calls: { pixelId: string; conversions: CapiConversion[] }[];
  /** Conversions X accepted, in order. */
  accepted: CapiConversion[];
  /** Next answers; when empty, the default answer (200, or what `respond` returns). */
  queue: SendOutcome[];
  respond?: (conversions: readonly CapiConversion[]) => SendOutcome | undefined;
}

export function ok(count: number, debugId = `debug-${count}`): SendOutcome {
  return { ok: true, kind: 'ok', status: 200, conversionsProcessed: count, debugId };
}

export function fakeX(): FakeX {
  const x: FakeX = {
    calls: [],
    accepted: [],
    queue: [],
    async send(pixelId, conversions) {
      x.calls.push({ pixelId, conversions: [...conversions] });
      const outcome = x.queue.shift() ?? x.respond?.(conversions) ?? ok(conversions.length);
      if (outcome.ok) x.accepted.push(...conversions);
      return outcome;
    },
  };
  return x;
}

/** A rate budget with a fixed allowance (default unlimited), recording updates. */
export function fakeBudget(allowance = Number.POSITIVE_INFINITY): RateBudget & {
  left: number;
  updates: RateLimitInfo[];
} {
  const budget = {
    left: allowance,
    updates: [] as RateLimitInfo[],
    async take(_account: string, wanted: number) {
      const n = Math.min(wanted, budget.left);
      budget.left -= n;
      return n;
    },
    async nextFreeAt() {
      return budget.left > 0 ? Date.now() : Date.now() + 1000;
    },
    async refund(_account: string, count: number) {
      budget.left += count;
    },
    async update(_account: string, info: RateLimitInfo) {
      budget.updates.push(info);
    },
  };
  return budget;
}

/** The retry table of docs/x-api.md §2, with a fixed 1 s backoff and 5 attempts. */
export function simpleDecide(
  outcome: SendOutcome,
  { attempts: attempt }: AttemptState,
): RetryDecision {
  switch (outcome.kind) {
    case 'ok':
      return { action: 'done' };
    case 'invalid':
      return { action: 'split' };
    case 'auth':
    case 'not_found':
      return { action: 'pause', reason: `HTTP ${outcome.status}` };
    case 'rate_limited': {
      const decision: RetryDecision = { action: 'pause', reason: 'rate limited' };
      if (outcome.resetAt !== undefined) decision.untilMs = outcome.resetAt;
      return decision;
    }
    case 'unexpected':
      return { action: 'dead', reason: `unexpected HTTP ${outcome.status}` };
    default:
      return attempt >= 5
        ? { action: 'dead', reason: `retry budget spent; last: ${outcome.kind}` }
        : { action: 'retry', delayMs: 1000 };
  }
}

export interface MemoryLogger extends Logger {
  lines: { level: LogLevel; message: string; fields: Record<string, unknown> | undefined }[];
  text(): string;
}

export function memoryLogger(): MemoryLogger {
  const logger: MemoryLogger = {
    lines: [],
    log(level, message, fields) {
      logger.lines.push({ level, message, fields });
    },
    text() {
      return JSON.stringify(logger.lines);
    },
  };
  return logger;
}
