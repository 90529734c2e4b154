/**
 * Graceful shutdown on SIGTERM/SIGINT for Node: stop intake, flush within a
 * bound, leave the rest in the outbox for the next start, then exit.
 * Uses the global `process` only when called, so importing it is runtime-neutral.
 */
import { SHUTDOWN_TIMEOUT_MS_DEFAULT, type StopResult } from './dispatcher.ts';

export interface SignalHandlerOptions {
  /** Signals to handle. Default `['SIGTERM', 'SIGINT']`. */
  signals?: readonly string[];
  /** Bound on the final flush. Default 10 000 ms. */
  timeoutMs?: number;
  /** Closed first so no new connections arrive (e.g. the `@hono/node-server` server). */
  server?: { close(callback?: (error?: Error) => void): unknown };
  /** Exit the process when done. Default `true` (exit code 0). */
  exit?: boolean;
  /** Called with the flush result before exiting. */
  onDone?: (result: StopResult) => void;
}

interface ShutdownTarget {
  shutdown(options?: { timeoutMs?: number }): Promise<StopResult>;
}

interface ProcessLike {
  once(signal: string, listener: () => void): unknown;
  off(signal: string, listener: () => void): unknown;
  exit(code?: number): never;
}

/**
 * Installs the handlers; returns a function that removes them.
 *
 * @example
 * ```ts
 * const server = serve({ fetch: app.fetch, port: 3000 });
 * installSignalHandlers(kit, { server, timeoutMs: 8000 });
 * ```
 */
export function installSignalHandlers(
  kit: ShutdownTarget,
  options: SignalHandlerOptions = {},
): () => void {
  const proc = (globalThis as { process?: ProcessLike }).process;
  if (!proc) return () => {};
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let started = false;
  const handler = () => {
    if (started) return;
    started = true;
    options.server?.close();
    void kit
      .shutdown({ timeoutMs: options.timeoutMs ?? SHUTDOWN_TIMEOUT_MS_DEFAULT })
      .catch(() => ({ drained: false }))
      .then((result) => {
        options.onDone?.(result);
        if (options.exit ?? true) proc.exit(0);
      });
  };
  for (const signal of signals) proc.once(signal, handler);
  return () => {
    for (const signal of signals) proc.off(signal, handler);
  };
}
