/**
 * What a command may touch of the outside world, passed in so commands can be
 * driven from tests and so nothing reaches for globals halfway through.
 */
import type { Readable } from 'node:stream';

export interface CliWriter {
  write(text: string): unknown;
}

export interface CliIo {
  stdout: CliWriter & { isTTY?: boolean };
  /** Progress, prompts and diagnostics go here, so `--json` output on stdout stays clean. */
  stderr: CliWriter & { isTTY?: boolean; columns?: number };
  stdin: Readable & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** Epoch milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
  fetch: typeof fetch;
  cwd: string;
}

/** The real process. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
    fetch: (input, init) => fetch(input, init),
    cwd: process.cwd(),
  };
}

/** Writes one line to a writer. */
export function println(writer: CliWriter, text = ''): void {
  writer.write(`${text}\n`);
}
