/**
 * The dispatcher's small parts: account pauses, its one wake-up timer, and a
 * bounded wait for `stop()`.
 */
import type { PausedAccount, Timers } from './dispatcher.ts';
import type { Logger } from './x-types.ts';

/** Paused accounts; a pause past its end is lifted (and logged) when next looked at. */
export function accountPauses(logger: Logger) {
  const paused = new Map<string, PausedAccount>();
  const resumed = (account: string) => logger.log('info', 'account.resumed', { account });
  return {
    pauseOf(account: string, at: number): PausedAccount | undefined {
      const pause = paused.get(account);
      if (pause && pause.until <= at) {
        paused.delete(account);
        resumed(account);
        return undefined;
      }
      return pause;
    },
    set(pause: PausedAccount): void {
      paused.set(pause.account, pause);
    },
    /** Lifts a pause by hand; `false` when the account was not paused. */
    lift(account: string): boolean {
      if (!paused.delete(account)) return false;
      resumed(account);
      return true;
    },
    list(at: number): PausedAccount[] {
      return [...paused.values()].filter((p) => p.until > at).map((p) => ({ ...p }));
    },
  };
}

/**
 * One pending timer that only ever moves earlier: arming it for a time later
 * than the one it is set for changes nothing.
 */
export function earliestTimer(timers: Timers, now: () => number) {
  let timer: unknown;
  let timerAt: number | undefined;
  return {
    arm(delayMs: number, fn: () => void): void {
      const at = now() + Math.max(0, delayMs);
      if (timer !== undefined && timerAt !== undefined && timerAt <= at) return;
      if (timer !== undefined) timers.clearTimeout(timer);
      timerAt = at;
      timer = timers.setTimeout(
        () => {
          timer = undefined;
          timerAt = undefined;
          fn();
        },
        Math.max(0, delayMs),
      );
    },
    clear(): void {
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      timerAt = undefined;
    },
  };
}

/**
 * Runs `work` for at most `timeoutMs`; `work` sees `expired()` turn true at the
 * deadline and is left running in the background. Returns whether it timed out.
 */
export async function within(
  timers: Timers,
  timeoutMs: number,
  work: (expired: () => boolean) => Promise<void>,
): Promise<boolean> {
  let timedOut = false;
  let deadline: unknown;
  const expired = new Promise<void>((resolve) => {
    deadline = timers.setTimeout(() => {
      timedOut = true;
      resolve();
    }, timeoutMs);
  });
  await Promise.race([work(() => timedOut), expired]);
  timers.clearTimeout(deadline);
  return timedOut;
}
