import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.ts';

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return {
    chunks,
    isTTY,
    columns: 200,
    write(text: string) {
      chunks.push(text);
      return true;
    },
    // cli-progress asks a TTY stream for these
    cursorTo() {
      return true;
    },
    clearLine() {
      return true;
    },
    moveCursor() {
      return true;
    },
    on() {
      return this;
    },
    removeListener() {
      return this;
    },
  };
}

const counts = (bytes: number, rows: number) => ({
  bytes,
  rows,
  sent: rows,
  rejected: 0,
  failed: 0,
});

describe('progress', () => {
  it('prints a plain line every interval when stderr is not a terminal, with rate and ETA', () => {
    let now = 0;
    const out = stream(false);
    const progress = createProgress({
      stream: out,
      enabled: true,
      totalBytes: 1000,
      now: () => now,
      intervalMs: 2000,
    });
    now = 1000;
    progress.update(counts(100, 50));
    expect(out.chunks).toEqual([]);
    now = 2000;
    progress.update(counts(250, 500));
    now = 3000;
    progress.update({ ...counts(500, 750), status: 'waiting for the rate budget' });
    progress.stop();
    expect(out.chunks).toEqual([
      'upload: 25% | 500 rows | 500 sent | 0 rejected | 0 failed | 250 rows/s | ETA 6s\n',
      'upload: 50% | 750 rows | 750 sent | 0 rejected | 0 failed | 250 rows/s | ETA 3s | waiting for the rate budget\n',
    ]);
  });

  it('draws a bar on a terminal', () => {
    let now = 0;
    const out = stream(true);
    const progress = createProgress({
      stream: out,
      enabled: true,
      totalBytes: 1000,
      now: () => now,
    });
    now = 1000;
    progress.update(counts(500, 100));
    progress.stop();
    const text = out.chunks.join('');
    expect(text).toMatch(/upload .* 50% \| 100 rows \| 100 sent .* 100 rows\/s \| ETA /);
  });

  it('prints nothing when disabled', () => {
    const out = stream(false);
    const progress = createProgress({ stream: out, enabled: false, totalBytes: 1, now: () => 0 });
    progress.update(counts(1, 1));
    progress.stop();
    expect(out.chunks).toEqual([]);
  });
});
