/**
 * Child processes with explicit timeouts: one-shot commands (`run`) and
 * long-running servers (`startService`), all stoppable by their own pid.
 *
 * Each child leads its own process group (`detached`), so a timeout or
 * `stopAll()` also ends what it started (npx starts the bin as a grandchild);
 * the group is addressed by the child's pid, never by a name.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface RunOptions {
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  input?: string;
}

/** Printable summary of a run, for assertion messages. */
export const describeRun = (command: string, r: RunResult) =>
  `$ ${command}\nexit ${r.code ?? r.signal} after ${r.ms} ms\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** Runs a command to its end; rejects (with the output so far) when it outlives `timeoutMs`. */
export function run(command: string, args: readonly string[], options: RunOptions) {
  const started = Date.now();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.end(options.input ?? '');
  return new Promise<RunResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      reject(
        new Error(
          `${command} ${args.join(' ')} did not finish within ${options.timeoutMs} ms\n--- stdout\n${stdout}\n--- stderr\n${stderr}`,
        ),
      );
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

export interface Service {
  name: string;
  child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr interleaved). */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects on exit or timeout. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
  stop(): Promise<void>;
}

const running = new Set<Service>();

/** Starts a long-running process (a server); `stopAll()` ends it if the test does not. */
export function startService(
  name: string,
  command: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string> },
): Service {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: string) => {
    output += chunk;
    for (const listener of listeners) listener();
  };
  child.stdout?.setEncoding('utf8').on('data', append);
  child.stderr?.setEncoding('utf8').on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => {
    for (const listener of listeners) listener();
  });

  const service: Service = {
    name,
    child,
    output: () => output,
    waitForOutput(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = output.match(pattern);
          if (match) return done(() => resolve(match));
          if (child.exitCode !== null || child.signalCode !== null) {
            done(() =>
              reject(
                new Error(`${name} exited (${child.exitCode ?? child.signalCode}):\n${output}`),
              ),
            );
          }
        };
        const timer = setTimeout(
          () =>
            done(() =>
              reject(new Error(`${name}: no ${pattern} within ${timeoutMs} ms:\n${output}`)),
            ),
          timeoutMs,
        );
        const done = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
    async stop() {
      running.delete(service);
      if (child.exitCode !== null || child.signalCode !== null) return;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(service);
  return service;
}

/** Stops every service this test file started (for `afterAll`). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((service) => service.stop()));
}
