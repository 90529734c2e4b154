/**
 * The reject file, `<input>.rejects.csv`: one row per input row that was not
 * delivered, with its line number, the reason, and the original row so a human
 * can fix it. The reason never quotes a raw email or phone number; the original
 * row does (it is the user's own data, written beside the input with owner-only
 * permissions). Unknown columns are ignored by `upload`, so a fixed reject file
 * can be uploaded again as it is.
 */
import {
  closeSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { stringify } from 'csv-stringify/sync';

export const REJECT_COLUMNS = ['rejected_line', 'reject_reason'] as const;

export interface RejectWriter {
  readonly path: string;
  /** Rows written by this run. */
  readonly count: number;
  add(line: number, reason: string, original: readonly string[] | string): void;
  /** Flushes to disk and returns the file's length (0 when it does not exist). */
  sync(): number;
  /** Closes the file; removes it when it holds no rows at all. */
  close(): void;
}

export interface RejectWriterOptions {
  path: string;
  /** CSV input: its header; JSON Lines input: `undefined` (the row is one `row` column). */
  header: () => readonly string[] | undefined;
  /** Keep this many bytes of an existing file (resume); 0 starts a new file. */
  keepBytes: number;
}

export function openRejects(options: RejectWriterOptions): RejectWriter {
  let fd: number | undefined;
  let count = 0;
  // Never more than is there: the user may have moved the old file away.
  let length = Math.min(options.keepBytes, sizeOf(options.path));
  if (length > 0) {
    fd = openSync(options.path, 'r+', 0o600);
    // Rows after the saved watermark are processed again by this run.
    ftruncateSync(fd, length);
  } else {
    try {
      unlinkSync(options.path);
    } catch {
      // none yet
    }
  }
  const write = (text: string) => {
    if (fd === undefined) fd = openSync(options.path, 'w', 0o600);
    length += writeSync(fd, text, length);
  };
  return {
    path: options.path,
    get count() {
      return count;
    },
    add(line, reason, original) {
      if (length === 0) {
        const header = options.header();
        write(stringify([[...REJECT_COLUMNS, ...(header ?? ['row'])]]));
      }
      const cells = typeof original === 'string' ? [original] : original;
      write(stringify([[String(line), reason, ...cells]]));
      count += 1;
    },
    sync() {
      if (fd !== undefined) fsyncSync(fd);
      return length;
    },
    close() {
      if (fd !== undefined) {
        fsyncSync(fd);
        closeSync(fd);
        fd = undefined;
      }
      if (length === 0) {
        try {
          unlinkSync(options.path);
        } catch {
          // nothing was written
        }
      }
    },
  };
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
