/**
 * What `kit.form()` records when it skips a conversion and lets the post
 * through (docs/product.md, "Safety (the server)": the kit never breaks the
 * application's own form handler). Each skip is counted per reason for
 * `kit.stats()` and logged at warn level, at most one line per reason a
 * minute, with how many were left out: a proxy or a flood must not turn every
 * checkout into a log line. Lines name the reason, the event and (for invalid
 * data) the field names, never a value.
 */
import type { Logger } from '../x-types.ts';
import type { FormSkipReason } from './types.ts';

/** Shortest gap between two log lines of one skip reason. */
export const FORM_SKIP_LOG_INTERVAL_MS = 60_000;

/** Per-reason counts of skipped form conversions (`KitStats.formSkippedByReason`). */
export type FormSkipCounts = Partial<Record<FormSkipReason, number>>;

/** Counts one skip; `fields` add what a log line may say (no values from the body). */
export type RecordSkip = (
  reason: FormSkipReason,
  fields: { eventId: string; [key: string]: unknown },
) => void;

export interface FormSkipsOptions {
  logger: Logger;
  now: () => number;
  /** The kit's counters: `formSkipped` is the total. */
  counters: { formSkipped: number };
  /** The per-reason counts, read by `stats()`. */
  byReason: FormSkipCounts;
  logIntervalMs?: number;
}

/** Creates the recorder of `kit.form()`'s skips. */
export function createFormSkips(options: FormSkipsOptions): RecordSkip {
  const { logger, now, counters, byReason } = options;
  const interval = options.logIntervalMs ?? FORM_SKIP_LOG_INTERVAL_MS;
  const logged = new Map<FormSkipReason, { at: number; suppressed: number }>();
  return function recordSkip(reason, fields) {
    counters.formSkipped++;
    byReason[reason] = (byReason[reason] ?? 0) + 1;
    const at = now();
    const last = logged.get(reason);
    if (last && at - last.at < interval) {
      last.suppressed++;
      return;
    }
    logger.log('warn', 'form.skipped', {
      reason,
      ...fields,
      ...(last && last.suppressed > 0 ? { suppressed: last.suppressed } : {}),
    });
    logged.set(reason, { at, suppressed: 0 });
  };
}
