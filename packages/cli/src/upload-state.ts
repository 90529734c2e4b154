/**
 * The resume state of an upload, kept beside the input as
 * `<input>.twclid-state.json`.
 *
 * Batches are sent one after the other in file order, so "what is done" is a
 * single watermark: every line up to `watermark` was either acknowledged by X
 * or written to the reject file (whose length at that moment is `rejectsBytes`).
 * The state is written after each acknowledged batch, to a temporary file that
 * is fsync'd and then renamed over the old one (rename is atomic on POSIX), and
 * the directory is fsync'd so the rename itself survives a crash. A crash
 * therefore leaves either the previous state or the new one, never half of one.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname } from 'node:path';
import { z } from 'zod';
import { UsageError } from './exit-codes.ts';

export const STATE_VERSION = 1;
/** The first bytes of the input are fingerprinted so a resume notices a different file. */
export const FINGERPRINT_BYTES = 64 * 1024;
/** How many recent debug_ids the state keeps (the summary of each run prints its own). */
export const STATE_DEBUG_IDS = 100;

const stateSchema = z.object({
  version: z.literal(STATE_VERSION),
  input: z.object({
    name: z.string(),
    size: z.number().int().nonnegative(),
    /** How many leading bytes `headSha256` covers. */
    headBytes: z.number().int().nonnegative(),
    headSha256: z.string(),
  }),
  startedAt: z.string(),
  updatedAt: z.string(),
  /** Every line ≤ watermark is settled (delivered, or in the reject file). */
  watermark: z.number().int().nonnegative(),
  /** Length of the reject file that goes with the watermark. */
  rejectsBytes: z.number().int().nonnegative(),
  complete: z.boolean(),
  totals: z.object({
    sent: z.number().int().nonnegative(),
    rejected: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    batches: z.number().int().nonnegative(),
  }),
  debugIds: z.array(z.string()),
});

export type UploadState = z.infer<typeof stateSchema>;

export function statePathFor(input: string): string {
  return `${input}.twclid-state.json`;
}

export function rejectsPathFor(input: string): string {
  return `${input}.rejects.csv`;
}

/** Size and SHA-256 of the first `bytes` (default {@link FINGERPRINT_BYTES}) of the input. */
export function fingerprint(path: string, bytes = FINGERPRINT_BYTES): UploadState['input'] {
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(size, bytes));
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    const headSha256 = createHash('sha256').update(buffer.subarray(0, read)).digest('hex');
    return { name: basename(path), size, headBytes: read, headSha256 };
  } finally {
    closeSync(fd);
  }
}

export function newState(input: UploadState['input'], now: number): UploadState {
  const at = new Date(now).toISOString();
  return {
    version: STATE_VERSION,
    input,
    startedAt: at,
    updatedAt: at,
    watermark: 0,
    rejectsBytes: 0,
    complete: false,
    totals: { sent: 0, rejected: 0, failed: 0, batches: 0 },
    debugIds: [],
  };
}

/** Reads a state file; `undefined` when there is none. A damaged file is a usage error. */
export function loadState(path: string): UploadState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(
      `${path} is not valid JSON`,
      'it was not written by this version of twclid-kit; move it away and use --restart',
    );
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) {
    throw new UsageError(
      `${path} is not an upload state file of this version`,
      'move it away and use --restart',
    );
  }
  return parsed.data;
}

/**
 * Checks that the input is the file the state was written for: the same
 * leading bytes, not shorter. (Rows appended at the end are fine: they come
 * after the watermark.)
 */
export function assertSameInput(state: UploadState, path: string): void {
  const current = fingerprint(path, state.input.headBytes);
  if (current.headSha256 !== state.input.headSha256 || current.size < state.input.size) {
    throw new UsageError(
      `${path} changed since the upload state was written (${state.updatedAt})`,
      'resume with the original file, or use --restart to upload it from the start ' +
        '(rows already delivered are then sent again with the same conversion_id, and X ' +
        'deduplicates them within 48 hours)',
    );
  }
}

/** Writes the state atomically and durably (temp file, fsync, rename, fsync directory). */
export function saveState(path: string, state: UploadState): void {
  const temp = `${path}.tmp-${process.pid}`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(state, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  fsyncDirectory(dirname(path));
}

function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot open or fsync a directory; the rename
    // is still atomic there, only its durability across power loss is weaker.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
