/**
 * Child processes for benchmarks: start a TypeScript entry under Node (through
 * tsx), wait for its ready line, capture its output, and make sure nothing
 * outlives the benchmark, even when it fails or is interrupted.
 *
 * Protocol: a child announces readiness by printing one JSON line containing
 * `"ready":true` on stdout (e.g. `{"ready":true,"port":41234}`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Child<Ready = Record<string, unknown>> {
  readonly pid: number;
  readonly process: ChildProcess;
  /** The parsed ready line. */
  readonly ready: Ready;
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<ChildExit>;
  /** Whether the process is still running. */
  alive(): boolean;
  /** Everything it printed so far (stdout and stderr interleaved). */
  output(): string;
  /** Sends `signal` and waits for the exit; SIGKILL after `graceMs` if still alive. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<ChildExit>;
}

export interface StartOptions {
  args?: readonly string[];
  env?: Record<string, string | undefined>;
  /** Appends everything the child prints to this file (for later inspection). */
  logFile?: string;
  /** How long to wait for the ready line. Default 30 s. */
  readyTimeoutMs?: number;
  /** Extra Node flags (e.g. `--max-old-space-size=512`). */
  nodeArgs?: readonly string[];
}

/** tsx's loader as an absolute URL, so a child started in any directory finds it. */
export const TSX_LOADER = import.meta.resolve('tsx');

const live = new Set<ChildProcess>();
let hooksInstalled = false;

/** Kills every child still running (synchronous: safe inside an `exit` handler). */
export function killAllChildren(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
  live.clear();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllChildren);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllChildren();
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }
}

/**
 * Starts `node --import tsx <entry> ...args` and resolves once it printed its
 * ready line. Rejects (and kills the child) if it exits or times out first.
 */
export async function startTsChild<Ready = Record<string, unknown>>(
  entry: string,
  options: StartOptions = {},
): Promise<Child<Ready>> {
  installHooks();
  const log: WriteStream | undefined = options.logFile
    ? createWriteStream(options.logFile, { flags: 'a' })
    : undefined;
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), '--import', TSX_LOADER, entry, ...(options.args ?? [])],
    {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  live.add(child);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${entry}`);

  let output = '';
  // Keep the in-memory copy bounded; the log file has everything.
  const remember = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    if (output.length > 1_000_000) output = output.slice(-500_000);
    log?.write(chunk);
  };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);

  const exited = new Promise<ChildExit>((resolve) => {
    // 'close' (not 'exit') fires once the pipes are drained, so the log is complete.
    child.once('close', (code, signal) => {
      live.delete(child);
      log?.end();
      resolve({ code, signal });
    });
  });

  const ready = await new Promise<Ready>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      cleanup();
      child.kill('SIGKILL');
      reject(
        new Error(
          `${entry} did not print its ready line within ${options.readyTimeoutMs ?? 30_000} ms:\n${output}`,
        ),
      );
    }, options.readyTimeoutMs ?? 30_000);
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString('utf8');
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line.startsWith('{') && line.includes('"ready"')) {
          try {
            const parsed = JSON.parse(line) as { ready?: unknown };
            if (parsed.ready === true) {
              cleanup();
              resolve(parsed as Ready);
              return;
            }
          } catch {
            // Not our line.
          }
        }
        newline = buffered.indexOf('\n');
      }
    };
    const onExit = (code: number | null, signal: string | null): void => {
      cleanup();
      reject(
        new Error(
          `${entry} exited (code ${code}, signal ${signal}) before it was ready:\n${output}`,
        ),
      );
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });

  let exitInfo: ChildExit | undefined;
  void exited.then((info) => {
    exitInfo = info;
  });

  return {
    pid,
    process: child,
    ready,
    exited,
    alive: () => exitInfo === undefined && child.exitCode === null && child.signalCode === null,
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const info = await exited;
      clearTimeout(timer);
      return info;
    },
  };
}

/** Runs a command to completion, capturing its output; rejects on a non-zero exit. */
export async function run(
  command: string,
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number } = {},
): Promise<{ stdout: string; stderr: string; ms: number }> {
  installHooks();
  const started = performance.now();
  const child = spawn(command, args, {
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
  const { code, signal } = await new Promise<ChildExit>((resolve) => {
    child.once('close', (c, s) => resolve({ code: c, signal: s }));
  });
  clearTimeout(timer);
  live.delete(child);
  const ms = performance.now() - started;
  if (code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (code ${code}, signal ${signal}):\n${stderr.slice(-4000)}`,
    );
  }
  return { stdout, stderr, ms };
}
