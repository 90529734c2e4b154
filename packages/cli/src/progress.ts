/**
 * Upload progress on stderr: a live bar with rate and ETA on a terminal
 * (cli-progress), or a plain line every few seconds when stderr is a file or
 * a pipe (CI logs, `2> upload.log`), so logs stay readable.
 */
import { Presets, SingleBar } from 'cli-progress';
import type { CliWriter } from './io.ts';

export interface ProgressCounts {
  /** Bytes of the input consumed. */
  bytes: number;
  rows: number;
  sent: number;
  rejected: number;
  failed: number;
  /** A short note such as "waiting for the rate budget". */
  status?: string;
}

export interface ProgressReporter {
  update(counts: ProgressCounts): void;
  stop(): void;
}

export interface ProgressOptions {
  stream: CliWriter & { isTTY?: boolean };
  /** Input size in bytes (the bar's 100 %). */
  totalBytes: number;
  now: () => number;
  /** `false` turns progress off entirely. */
  enabled: boolean;
  /** Interval between plain lines. Default: 2000 ms. */
  intervalMs?: number;
}

const silent: ProgressReporter = { update() {}, stop() {} };

export function createProgress(options: ProgressOptions): ProgressReporter {
  if (!options.enabled) return silent;
  const started = options.now();
  const rate = (rows: number) => {
    const seconds = (options.now() - started) / 1000;
    return seconds > 0 ? Math.round(rows / seconds) : 0;
  };
  const total = Math.max(1, options.totalBytes);

  if (options.stream.isTTY) {
    const bar = new SingleBar(
      {
        stream: options.stream as NodeJS.WritableStream,
        format:
          'upload {bar} {percentage}% | {rows} rows | {sent} sent | {rejected} rejected | {failed} failed | {rate} rows/s | ETA {eta_formatted} {status}',
        hideCursor: true,
        etaBuffer: 50,
      },
      Presets.shades_classic,
    );
    bar.start(total, 0, { rows: 0, sent: 0, rejected: 0, failed: 0, rate: 0, status: '' });
    return {
      update(counts) {
        bar.update(Math.min(counts.bytes, total), {
          rows: counts.rows,
          sent: counts.sent,
          rejected: counts.rejected,
          failed: counts.failed,
          rate: rate(counts.rows),
          status: counts.status ?? '',
        });
      },
      stop() {
        bar.stop();
      },
    };
  }

  const interval = options.intervalMs ?? 2000;
  let last = started;
  let latest: ProgressCounts | undefined;
  const print = (counts: ProgressCounts) => {
    const percent = Math.min(100, Math.floor((counts.bytes / total) * 100));
    const perSecond = rate(counts.rows);
    const elapsed = options.now() - started;
    const eta =
      counts.bytes > 0 && counts.bytes < total
        ? `${Math.ceil(((total - counts.bytes) * elapsed) / counts.bytes / 1000)}s`
        : '0s';
    options.stream.write(
      `upload: ${percent}% | ${counts.rows} rows | ${counts.sent} sent | ${counts.rejected} rejected | ${counts.failed} failed | ${perSecond} rows/s | ETA ${eta}${counts.status ? ` | ${counts.status}` : ''}\n`,
    );
  };
  return {
    update(counts) {
      latest = counts;
      const now = options.now();
      if (now - last >= interval) {
        last = now;
        print(counts);
      }
    },
    stop() {
      if (latest) print(latest);
    },
  };
}
