/**
 * Starting `twclid-kit upload`: the checks of its options and the resume state
 * it continues or starts (upload-state.ts), before any row is read.
 */
import { statSync } from 'node:fs';
import { MAX_CONVERSIONS_PER_REQUEST } from '@twclid-kit/server/core';
import { UsageError } from './exit-codes.ts';
import type { UploadOptions } from './upload.ts';
import {
  assertSameInput,
  fingerprint,
  loadState,
  newState,
  type UploadState,
} from './upload-state.ts';

/** `--batch-size`, 1 to X's per-request limit (500 by default). */
export function checkBatchSize(batchSize: number | undefined): number {
  const size = batchSize ?? MAX_CONVERSIONS_PER_REQUEST;
  if (!Number.isInteger(size) || size < 1 || size > MAX_CONVERSIONS_PER_REQUEST) {
    throw new UsageError(`--batch-size must be 1 to ${MAX_CONVERSIONS_PER_REQUEST}`);
  }
  return size;
}

/** The input file's size in bytes, for the progress line; a `UsageError` when it cannot be read. */
export function fileSize(file: string): number {
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error('not a file');
    return stat.size;
  } catch {
    throw new UsageError(`cannot read ${file}`, 'check the path');
  }
}

/** The resume state this run continues or starts; `undefined` for a dry run. */
export function openState(
  options: UploadOptions,
  statePath: string,
  now: () => number,
): UploadState | undefined {
  const existing = loadState(statePath);
  if (options.dryRun === true) {
    if (existing && !existing.complete && options.rejectsPath === undefined) {
      throw new UsageError(
        `an upload of ${options.file} is unfinished (${statePath}); a dry run would overwrite its reject file`,
        'pass --rejects <another path> for the dry run, or finish the upload with --resume',
      );
    }
    return undefined;
  }
  if (existing && !options.resume && !options.restart) {
    throw new UsageError(
      `${options.file} was ${existing.complete ? 'already uploaded' : 'partly uploaded'} (state: ${statePath})`,
      existing.complete
        ? 'use --restart to upload it again (X deduplicates rows with the same conversion_id within 48 hours)'
        : 'use --resume to continue where it stopped, or --restart to start over',
    );
  }
  if (existing && options.resume) {
    assertSameInput(existing, options.file);
    existing.input = fingerprint(options.file);
    return existing;
  }
  return newState(fingerprint(options.file), now());
}
