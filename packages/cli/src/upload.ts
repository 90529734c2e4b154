/**
 * `twclid-kit upload <file>`: bulk offline conversions from CSV or JSON Lines.
 *
 * Rows are read one at a time (see row-reader.ts), each is turned into a
 * conversion by the core's `buildConversion()` (the same normalization and
 * hashing as the live route), bad rows go to the reject file, good rows are
 * sent in batches of up to 500 within the rate budget, with the core's retry
 * policy. One batch is in flight at a time and the next row is read only when
 * the batch went out, so memory stays flat for any file size. After each
 * acknowledged batch the resume state is saved (upload-state.ts).
 */
import { statSync } from 'node:fs';
import type {
  AttemptState,
  CapiConversion,
  ConversionInput,
  RateBudget,
  RetryDecision,
  SendOutcome,
  ValidationIssue,
  XClient,
} from '@twclid-kit/server';
import { describeOutcome, MAX_CONVERSIONS_PER_REQUEST } from '@twclid-kit/server';
import { rowToInput } from './columns.ts';
import { derivedConversionId } from './derived-id.ts';
import { CommandFailed, UsageError } from './exit-codes.ts';
import { createProgress } from './progress.ts';
import { openRejects } from './rejects.ts';
import { detectFormat, isUnreadable, openRows } from './row-reader.ts';
import {
  assertSameInput,
  fingerprint,
  loadState,
  newState,
  rejectsPathFor,
  STATE_DEBUG_IDS,
  saveState,
  statePathFor,
  type UploadState,
} from './upload-state.ts';

export type BuildResult =
  | { ok: true; conversion: CapiConversion }
  | { ok: false; issues: ValidationIssue[] };

/** What the upload needs from the core, injected so tests can fake X. */
export interface UploadDeps {
  /** The core's `buildConversion` bound to the pixel and default country. */
  build(input: ConversionInput): BuildResult;
  client: XClient;
  budget: RateBudget;
  /** The core's retry policy (`decideRetry`). */
  decide(outcome: SendOutcome, state: AttemptState): RetryDecision;
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface UploadOptions {
  file: string;
  pixelId: string;
  /** Rate-budget key: the ad account, or the pixel when no account is configured. */
  account: string;
  format?: string;
  delimiter?: string;
  /** Event for rows without an event_id column/value. */
  event?: string;
  dryRun?: boolean;
  resume?: boolean;
  restart?: boolean;
  /** 1..500, default 500. */
  batchSize?: number;
  /** Mixed into derived conversion IDs (see derived-id.ts). Default: none. */
  idNamespace?: string;
  /** Reject file. Default `<file>.rejects.csv`. */
  rejectsPath?: string;
  /** Progress output (stderr). */
  progress: { stream: { write(text: string): unknown; isTTY?: boolean }; enabled: boolean };
  /** Stops after the batch in flight (Ctrl-C). */
  signal?: AbortSignal;
}

export interface UploadSummary {
  file: string;
  format: 'csv' | 'jsonl';
  dryRun: boolean;
  /** Rows read by this run (rows skipped by --resume not included). */
  rows: number;
  /** Rows skipped because an earlier run settled them (--resume). */
  skipped: number;
  /** Dry run: rows that passed validation. */
  valid: number;
  sent: number;
  /** Rows refused by validation (in the reject file). */
  rejected: number;
  /** Rows X refused (in the reject file with X's message). */
  failed: number;
  batches: number;
  debugIds: string[];
  rejectsPath: string | undefined;
  statePath: string | undefined;
  /** All runs of this file together (not for dry runs). */
  totals: UploadState['totals'] | undefined;
  /** Set when the upload stopped before the end of the file. */
  stopped?: string;
  /** Columns/keys the upload did not recognise (ignored). */
  ignoredColumns: string[];
  /** `--resume` of an upload that had already finished: nothing was done. */
  alreadyComplete?: boolean;
}

function isCsvError(error: unknown): error is Error & { code: string } {
  return (
    error instanceof Error &&
    typeof (error as unknown as { code?: unknown }).code === 'string' &&
    (error as unknown as { code: string }).code.startsWith('CSV_')
  );
}

interface Pending {
  line: number;
  conversion: CapiConversion;
  original: string[] | string;
}

/** Core field names → upload column names, for reject reasons. */
const COLUMN_OF: Record<string, string> = {
  eventId: 'event_id',
  conversionId: 'conversion_id',
  conversionTime: 'conversion_time',
  ip: 'ip_address',
  userAgent: 'user_agent',
  numberItems: 'number_items',
  eventSourceUrl: 'event_source_url',
  currency: 'currency',
};

function columnOf(field: string): string {
  const [head, ...rest] = field.split(/(?=[.[])/);
  const mapped = COLUMN_OF[head as string] ?? (head as string);
  return [mapped, ...rest].join('');
}

/**
 * Reject reasons name the column and the problem, never the value: a raw
 * email or phone must not leak into the reason (the original row next to it is
 * the user's own data). As a second line of defence any raw identifier that
 * still appears is replaced.
 */
export function rejectReason(
  issues: readonly { field: string; message: string }[],
  secrets: readonly unknown[],
): string {
  let reason = issues.map((issue) => `${columnOf(issue.field)}: ${issue.message}`).join('; ');
  for (const secret of secrets) {
    if (typeof secret === 'string' && secret.trim().length >= 3) {
      reason = reason.split(secret.trim()).join('<redacted>');
    }
  }
  return reason;
}

const HINTS: Partial<Record<SendOutcome['kind'], string>> = {
  auth: 'check the credentials with `twclid-kit doctor`, then run the upload again with --resume',
  not_found:
    'check X_PIXEL_ID and the event IDs (`twclid-kit doctor`), then run the upload again with --resume',
};

export async function runUpload(options: UploadOptions, deps: UploadDeps): Promise<UploadSummary> {
  const batchSize = options.batchSize ?? MAX_CONVERSIONS_PER_REQUEST;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_CONVERSIONS_PER_REQUEST) {
    throw new UsageError(`--batch-size must be 1 to ${MAX_CONVERSIONS_PER_REQUEST}`);
  }
  let size: number;
  try {
    const stat = statSync(options.file);
    if (!stat.isFile()) throw new Error('not a file');
    size = stat.size;
  } catch {
    throw new UsageError(`cannot read ${options.file}`, 'check the path');
  }
  const format = detectFormat(options.file, options.format);
  const dryRun = options.dryRun === true;
  const statePath = statePathFor(options.file);
  const rejectsPath = options.rejectsPath ?? rejectsPathFor(options.file);

  const existing = loadState(statePath);
  let state: UploadState | undefined;
  if (dryRun) {
    if (existing && !existing.complete && options.rejectsPath === undefined) {
      throw new UsageError(
        `an upload of ${options.file} is unfinished (${statePath}); a dry run would overwrite its reject file`,
        'pass --rejects <another path> for the dry run, or finish the upload with --resume',
      );
    }
  } else if (existing && !options.resume && !options.restart) {
    throw new UsageError(
      `${options.file} was ${existing.complete ? 'already uploaded' : 'partly uploaded'} (state: ${statePath})`,
      existing.complete
        ? 'use --restart to upload it again (X deduplicates rows with the same conversion_id within 48 hours)'
        : 'use --resume to continue where it stopped, or --restart to start over',
    );
  } else {
    if (existing && options.resume) {
      assertSameInput(existing, options.file);
      state = existing;
      state.input = fingerprint(options.file);
    } else {
      state = newState(fingerprint(options.file), deps.now());
    }
  }

  const summary: UploadSummary = {
    file: options.file,
    format,
    dryRun,
    rows: 0,
    skipped: 0,
    valid: 0,
    sent: 0,
    rejected: 0,
    failed: 0,
    batches: 0,
    debugIds: [],
    rejectsPath: undefined,
    statePath: dryRun ? undefined : statePath,
    totals: state?.totals,
    ignoredColumns: [],
  };
  if (state?.complete) {
    summary.alreadyComplete = true;
    return summary;
  }
  if (state) saveState(statePath, state);

  const source = openRows(options.file, {
    format,
    ...(options.delimiter !== undefined ? { delimiter: options.delimiter } : {}),
  });
  const rejects = openRejects({
    path: rejectsPath,
    header: source.header,
    keepBytes: state && options.resume ? state.rejectsBytes : 0,
  });
  const progress = createProgress({
    stream: options.progress.stream,
    enabled: options.progress.enabled,
    totalBytes: size,
    now: deps.now,
  });
  let bytes = 0;
  let status: string | undefined;
  const report = () =>
    progress.update({
      bytes,
      rows: summary.rows + summary.skipped,
      sent: summary.sent,
      rejected: summary.rejected,
      failed: summary.failed,
      ...(status ? { status } : {}),
    });

  const reject = (line: number, reason: string, original: string[] | string) => {
    rejects.add(line, reason, original);
    summary.rejected += 1;
    if (state) state.totals.rejected += 1;
  };

  /** Sends one batch; returns the rows X refused. Throws CommandFailed when the upload must stop. */
  const deliver = async (items: Pending[]): Promise<{ item: Pending; reason: string }[]> => {
    const failed: { item: Pending; reason: string }[] = [];
    const queue: Pending[][] = [items];
    while (queue.length > 0) {
      let part = queue.shift() as Pending[];
      let attempt = 1;
      let firstAttemptAt: number | undefined;
      for (;;) {
        if (options.signal?.aborted)
          throw new CommandFailed('interrupted', 'run again with --resume');
        const granted = deps.budget.take(options.account, part.length);
        if (granted === 0) {
          status = 'waiting for the rate budget';
          report();
          await deps.sleep(Math.max(10, deps.budget.nextFreeAt(options.account) - deps.now()));
          continue;
        }
        if (granted < part.length) {
          queue.unshift(part.slice(granted));
          part = part.slice(0, granted);
        }
        status = undefined;
        firstAttemptAt ??= deps.now();
        const outcome = await deps.client.send(
          options.pixelId,
          part.map((p) => p.conversion),
        );
        if (outcome.rateLimit) deps.budget.update(options.account, outcome.rateLimit);
        const decision = deps.decide(outcome, {
          attempts: attempt,
          firstAttemptAt,
          now: deps.now(),
          batchSize: part.length,
        });
        if (outcome.ok) {
          summary.sent += part.length;
          summary.batches += 1;
          summary.debugIds.push(outcome.debugId);
          if (state) {
            state.totals.sent += part.length;
            state.totals.batches += 1;
            state.debugIds.push(outcome.debugId);
            if (state.debugIds.length > STATE_DEBUG_IDS)
              state.debugIds.splice(0, state.debugIds.length - STATE_DEBUG_IDS);
          }
          break;
        }
        if (
          outcome.kind === 'invalid' &&
          (decision.action === 'split' || decision.action === 'dead')
        ) {
          // A request is all-or-nothing [WC]: halve until the bad rows are alone.
          if (part.length === 1) {
            failed.push({
              item: part[0] as Pending,
              reason: `X refused: ${describeOutcome(outcome)}`,
            });
          } else {
            const half = Math.ceil(part.length / 2);
            queue.unshift(part.slice(0, half), part.slice(half));
          }
          break;
        }
        if (decision.action === 'retry') {
          status = `retrying (${describeOutcome(outcome)})`;
          report();
          await deps.sleep(decision.delayMs);
          attempt += 1;
          continue;
        }
        if (decision.action === 'pause' && decision.untilMs !== undefined) {
          status = 'paused by X (rate limit)';
          report();
          await deps.sleep(Math.max(0, decision.untilMs - deps.now()));
          continue;
        }
        const reason =
          decision.action === 'pause' || decision.action === 'dead'
            ? decision.reason
            : describeOutcome(outcome);
        throw new CommandFailed(
          `X did not accept the batch: ${reason || describeOutcome(outcome)}`,
          HINTS[outcome.kind] ?? 'run the upload again with --resume once X answers',
        );
      }
    }
    return failed;
  };

  let pending: Pending[] = [];
  let lastLine = state?.watermark ?? 0;
  const flush = async () => {
    if (pending.length > 0) {
      const batch = pending;
      pending = [];
      const failed = await deliver(batch);
      for (const { item, reason } of failed) {
        rejects.add(item.line, reason, item.original);
        summary.failed += 1;
        if (state) state.totals.failed += 1;
      }
    }
    if (state) {
      state.watermark = lastLine;
      state.rejectsBytes = rejects.sync();
      state.updatedAt = new Date(deps.now()).toISOString();
      saveState(statePath, state);
    }
    report();
  };

  try {
    for await (const row of source.rows()) {
      bytes = row.bytes;
      if (state && row.line <= state.watermark) {
        summary.skipped += 1;
        if (summary.skipped % 1000 === 0) report();
        continue;
      }
      summary.rows += 1;
      lastLine = row.line;
      const fields = row.fields;
      if (isUnreadable(fields)) {
        reject(row.line, `row ${fields.error}`, row.original);
      } else {
        const parsed = rowToInput(
          fields,
          options.event !== undefined ? { eventId: options.event } : {},
        );
        const secrets = [fields.email, fields.phone];
        if (!parsed.ok) {
          reject(row.line, rejectReason(parsed.issues, secrets), row.original);
        } else {
          const built = deps.build(parsed.input);
          if (!built.ok) {
            reject(row.line, rejectReason(built.issues, secrets), row.original);
          } else {
            const conversion = built.conversion;
            if (conversion.conversion_id === undefined) {
              conversion.conversion_id = derivedConversionId(
                row.line,
                conversion,
                options.idNamespace,
              );
            }
            summary.valid += 1;
            if (!dryRun) {
              pending.push({ line: row.line, conversion, original: row.original });
              if (pending.length >= batchSize) await flush();
            }
          }
        }
      }
      if (summary.rows % 200 === 0) report();
      if (options.signal?.aborted)
        throw new CommandFailed('interrupted', 'run again with --resume');
    }
    if (!dryRun) {
      await flush();
      if (state) {
        state.complete = true;
        saveState(statePath, state);
      }
    }
  } catch (error) {
    // The state file keeps everything settled so far: report and let the user resume.
    if (error instanceof CommandFailed) {
      summary.stopped = error.hint ? `${error.message} (${error.hint})` : error.message;
    } else if (isCsvError(error)) {
      summary.stopped = `CSV syntax error: ${error.message} (fix the file, then run again${dryRun ? '' : ' with --resume'})`;
    } else {
      throw error;
    }
  } finally {
    progress.stop();
    rejects.close();
    summary.ignoredColumns = [...source.ignored()];
    summary.rejectsPath =
      rejects.count > 0 || (state?.rejectsBytes ?? 0) > 0 ? rejectsPath : undefined;
    summary.totals = state?.totals;
  }
  return summary;
}
