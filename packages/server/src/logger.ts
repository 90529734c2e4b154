/**
 * The default logger: one JSON object per line on the console.
 *
 * Callers pass only counts, statuses, IDs and hashes; no raw email/phone and
 * no credentials ever reach a log call (see the Safety section of the README).
 */
import type { Logger, LogLevel } from './x-types.ts';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface ConsoleLoggerOptions {
  /** Lowest level written. Default `info`. */
  level?: LogLevel;
  /** Where a line goes. Default: `console.log` for debug/info, `console.error` for warn/error. */
  write?: (line: string, level: LogLevel) => void;
  /** Clock for the `time` field. Default `Date.now`. */
  now?: () => number;
}

/**
 * Creates a JSON-lines console logger.
 *
 * @example
 * ```ts
 * twclidKit({ ..., logger: consoleLogger({ level: 'debug' }) });
 * // {"time":"2026-01-01T00:00:00.000Z","level":"info","msg":"x.send","events":500,"status":200,"debugId":"ff02e052-…"}
 * ```
 */
export function consoleLogger(options: ConsoleLoggerOptions = {}): Logger {
  const min = RANK[options.level ?? 'info'];
  const now = options.now ?? Date.now;
  const write =
    options.write ??
    ((line: string, level: LogLevel) => {
      if (RANK[level] >= RANK.warn) console.error(line);
      else console.log(line);
    });
  return {
    log(level, message, fields) {
      if (RANK[level] < min) return;
      let line: string;
      try {
        line = JSON.stringify({
          time: new Date(now()).toISOString(),
          level,
          msg: message,
          ...fields,
        });
      } catch {
        line = JSON.stringify({ time: new Date(now()).toISOString(), level, msg: message });
      }
      write(line, level);
    },
  };
}

/** A logger that drops everything (tests, or when the host app logs elsewhere). */
export const silentLogger: Logger = { log() {} };
