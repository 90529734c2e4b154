/**
 * `twclid-kit upload <file>`: bulk offline conversions from CSV or JSON Lines.
 *
 * Rows are read one at a time (see row-reader.ts), each is turned into a
 * conversion by the core's `buildConversion()` (the same normalization and
 * hashing as the live route), bad rows go to the reject file, good rows are
 * sent in batches of up to 500 within the rate budget, through the core's
 * delivery engine and retry policy (upload-delivery.ts). One batch is in flight at a time and the next row is read only when
 * the batch went out, so memory stays flat for any file size. After each
 * acknowledged batch the resume state is saved (upload-state.ts).
 */
import type {
  CapiConversion,
  ConversionInput,
  RateBudget,
  RetryDecision,
  SendOutcome,
  ValidationIssue,
  XClient,
} from '@twclid-kit/server';
import type { AttemptState } from '@twclid-kit/server/core';
import { rowToInput } from './columns.ts';
import { derivedConversionId } from './derived-id.ts';
import { CommandFailed } from './exit-codes.ts';
import { createProgress } from './progress.ts';
import { rejectReason } from './reject-reason.ts';
import { openRejects, type RejectWriter } from './rejects.ts';
import {
  detectFormat,
  isUnreadable,
  openRows,
  type RowSource,
  type SourceRow,
  type UploadFormat,
} from './row-reader.ts';
import { deliverRows, type Pending, type UploadDelivery } from './upload-delivery.ts';
import { checkBatchSize, fileSize, openState } from './upload-start.ts';
import {
  rejectsPathFor,
  STATE_DEBUG_IDS,
  saveState,
  statePathFor,
  type UploadState,
} from './upload-state.ts';

export { rejectReason } from './reject-reason.ts';

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

/** The upload in progress: what every step reads and updates. */
interface UploadRun {
  options: UploadOptions;
  deps: UploadDeps;
  summary: UploadSummary;
  /** Undefined for a dry run. */
  state: UploadState | undefined;
  statePath: string;
  rejects: RejectWriter;
  delivery: UploadDelivery;
  report(): void;
  /** Rows waiting for their batch. */
  pending: Pending[];
  /** The last line read; the watermark once its batch is settled. */
  lastLine: number;
  /** Bytes of the file read so far, for the progress line. */
  bytes: number;
}

function newSummary(
  options: UploadOptions,
  format: UploadFormat,
  statePath: string,
  state: UploadState | undefined,
): UploadSummary {
  const dryRun = options.dryRun === true;
  return {
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
}

/** Counts a batch X accepted, in this run's summary and in the state of all runs. */
function recordSent(run: UploadRun, count: number, debugId: string): void {
  const { summary, state } = run;
  summary.sent += count;
  summary.batches += 1;
  summary.debugIds.push(debugId);
  if (!state) return;
  state.totals.sent += count;
  state.totals.batches += 1;
  state.debugIds.push(debugId);
  if (state.debugIds.length > STATE_DEBUG_IDS) {
    state.debugIds.splice(0, state.debugIds.length - STATE_DEBUG_IDS);
  }
}

function reject(run: UploadRun, line: number, reason: string, original: string[] | string): void {
  run.rejects.add(line, reason, original);
  run.summary.rejected += 1;
  if (run.state) run.state.totals.rejected += 1;
}

/** Sends the waiting rows, then saves the resume state (after every acknowledged batch). */
async function flush(run: UploadRun): Promise<void> {
  const { state } = run;
  if (run.pending.length > 0) {
    const batch = run.pending;
    run.pending = [];
    for (const { item, reason } of await deliverRows(run.delivery, batch)) {
      run.rejects.add(item.line, reason, item.original);
      run.summary.failed += 1;
      if (state) state.totals.failed += 1;
    }
  }
  if (state) {
    state.watermark = run.lastLine;
    state.rejectsBytes = run.rejects.sync();
    state.updatedAt = new Date(run.deps.now()).toISOString();
    saveState(run.statePath, state);
  }
  run.report();
}

/** One row read: rejected with its reason, or built into a conversion that joins the batch. */
async function takeRow(run: UploadRun, row: SourceRow, batchSize: number): Promise<void> {
  const { options, summary } = run;
  const fields = row.fields;
  if (isUnreadable(fields)) {
    reject(run, row.line, `row ${fields.error}`, row.original);
    return;
  }
  const parsed = rowToInput(fields, options.event !== undefined ? { eventId: options.event } : {});
  const secrets = [fields.email, fields.phone];
  if (!parsed.ok) {
    reject(run, row.line, rejectReason(parsed.issues, secrets), row.original);
    return;
  }
  const built = run.deps.build(parsed.input);
  if (!built.ok) {
    reject(run, row.line, rejectReason(built.issues, secrets), row.original);
    return;
  }
  const conversion = built.conversion;
  if (conversion.conversion_id === undefined) {
    conversion.conversion_id = derivedConversionId(row.line, conversion, options.idNamespace);
  }
  summary.valid += 1;
  if (options.dryRun === true) return;
  run.pending.push({ line: row.line, conversion, original: row.original });
  if (run.pending.length >= batchSize) await flush(run);
}

/** Reads every row (skipping what an earlier run settled), sending batch by batch. */
async function readRows(run: UploadRun, source: RowSource, batchSize: number): Promise<void> {
  const { options, summary, state } = run;
  for await (const row of source.rows()) {
    run.bytes = row.bytes;
    if (state && row.line <= state.watermark) {
      summary.skipped += 1;
      if (summary.skipped % 1000 === 0) run.report();
      continue;
    }
    summary.rows += 1;
    run.lastLine = row.line;
    await takeRow(run, row, batchSize);
    if (summary.rows % 200 === 0) run.report();
    if (options.signal?.aborted) throw new CommandFailed('interrupted', 'run again with --resume');
  }
  if (options.dryRun === true) return;
  await flush(run);
  if (state) {
    state.complete = true;
    saveState(run.statePath, state);
  }
}

/** Why the upload stopped early, for the summary; errors that are not ours are thrown on. */
function stoppedBecause(error: unknown, dryRun: boolean): string {
  // The state file keeps everything settled so far: report and let the user resume.
  if (error instanceof CommandFailed) {
    return error.hint ? `${error.message} (${error.hint})` : error.message;
  }
  if (isCsvError(error)) {
    return `CSV syntax error: ${error.message} (fix the file, then run again${dryRun ? '' : ' with --resume'})`;
  }
  throw error;
}

export async function runUpload(options: UploadOptions, deps: UploadDeps): Promise<UploadSummary> {
  const batchSize = checkBatchSize(options.batchSize);
  const size = fileSize(options.file);
  const format = detectFormat(options.file, options.format);
  const statePath = statePathFor(options.file);
  const rejectsPath = options.rejectsPath ?? rejectsPathFor(options.file);
  const state = openState(options, statePath, deps.now);
  const summary = newSummary(options, format, statePath, state);
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
  const progress = createProgress({ ...options.progress, totalBytes: size, now: deps.now });
  let status: string | undefined;
  const report = () =>
    progress.update({
      bytes: run.bytes,
      rows: summary.rows + summary.skipped,
      sent: summary.sent,
      rejected: summary.rejected,
      failed: summary.failed,
      ...(status ? { status } : {}),
    });
  const run: UploadRun = {
    options,
    deps,
    summary,
    state,
    statePath,
    rejects,
    report,
    pending: [],
    lastLine: state?.watermark ?? 0,
    bytes: 0,
    delivery: {
      ...deps,
      pixelId: options.pixelId,
      account: options.account,
      signal: options.signal,
      status(text, redraw) {
        status = text;
        if (redraw) report();
      },
      sent: (count, debugId) => recordSent(run, count, debugId),
    },
  };

  try {
    await readRows(run, source, batchSize);
  } catch (error) {
    summary.stopped = stoppedBecause(error, summary.dryRun);
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
