/**
 * Delivery on runtimes without background timers (Cloudflare Workers): an
 * isolate's timers do not run once the response is sent, so an event accepted
 * by a request would wait for a later request to be delivered. Where the
 * request has an execution context (`c.executionCtx`, given by workerd), the
 * kit hands `flush()` to `executionCtx.waitUntil()` after every request that
 * enqueued an event; retries that come due later are drained by the Worker's
 * `scheduled()` handler (a Cron Trigger) calling `kit.scheduled()`.
 *
 * On Node, Bun and Deno there is no execution context and nothing changes:
 * the dispatcher's own timers deliver.
 */
import type { Context, Env, MiddlewareHandler } from 'hono';
import type { Dispatcher } from '../dispatcher.ts';
import type { Logger } from '../x-types.ts';

/** What the kit needs of workerd's `ExecutionContext`. */
export interface WaitUntilContext {
  waitUntil(promise: Promise<unknown>): void;
}

export interface AfterResponseOptions {
  dispatcher: Dispatcher;
  /** The kit's `start()`: a Worker created with `autoStart: false` starts at its first request. */
  start: () => Promise<void>;
  logger: Logger;
}

export interface AfterResponse {
  /** The dispatcher to hand to intake: `notify()` also marks that a flush is owed. */
  dispatcher: Dispatcher;
  /** Kit routes: runs the request, then owes its flush to `waitUntil()`. */
  middleware: MiddlewareHandler;
  /** Wraps each app-route middleware `make` returns (`kit.form()`) the same way. */
  aroundEach<O, E extends Env>(
    make: (options: O) => MiddlewareHandler<E>,
  ): (options: O) => MiddlewareHandler<E>;
  /** Wraps `sendConversion(c, …)` the same way. */
  aroundSend<A extends unknown[], R>(
    send: (c: Context, ...args: A) => Promise<R>,
  ): (c: Context, ...args: A) => Promise<R>;
  /** Starts the kit if needed and sends everything due now (a Cron Trigger's work). */
  drain(): Promise<void>;
  /** A Worker's `scheduled(controller, env, ctx)`: `drain()` under `ctx.waitUntil()`. */
  scheduled(controller: unknown, env: unknown, ctx: WaitUntilContext): Promise<void>;
}

/**
 * The request's execution context, or `undefined`: Hono's `c.executionCtx`
 * getter throws where the runtime gave none (Node, Bun, Deno).
 */
export function executionContextOf(c: Context): WaitUntilContext | undefined {
  // The getter's Error is thrown on every Node request; without a stack trace
  // it costs next to nothing (capturing the trace was ~4% of a request's CPU).
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const ctx = c.executionCtx as Partial<WaitUntilContext> | undefined;
    return typeof ctx?.waitUntil === 'function' ? (ctx as WaitUntilContext) : undefined;
  } catch {
    return undefined;
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/** Creates the hook; see the module comment. */
export function createAfterResponse(options: AfterResponseOptions): AfterResponse {
  const { dispatcher, start, logger } = options;
  /** Set by `notify()`; a request that enqueued nothing owes no flush. */
  let owed = false;

  async function drain(): Promise<void> {
    await start();
    await dispatcher.flush();
  }
  const logged = (promise: Promise<void>) =>
    promise.catch((error: unknown) => {
      logger.log('error', 'dispatcher.error', {
        error: error instanceof Error ? error.message : String(error),
      });
    });

  function deliver(ctx: WaitUntilContext | undefined): void {
    if (!owed || !ctx) return;
    owed = false;
    ctx.waitUntil(logged(dispatcher.flush()));
  }

  const wrapped: Dispatcher = {
    ...dispatcher,
    notify(pixelId, account) {
      owed = true;
      dispatcher.notify(pixelId, account);
    },
  };

  /**
   * Runs `work` for the request; a Worker's kit starts with its first request
   * (workerd allows no I/O or timers at global scope), and a flush is owed after.
   */
  async function during<R>(c: Context, work: () => Promise<R>): Promise<R> {
    const ctx = executionContextOf(c);
    if (ctx) await start();
    try {
      return await work();
    } finally {
      deliver(ctx);
    }
  }

  return {
    dispatcher: wrapped,
    middleware: (c, next) => during(c, next),
    aroundEach: (make) => (formOptions) => {
      const middleware = make(formOptions);
      const run: typeof middleware = (c, next) => during(c, () => middleware(c, next));
      return run;
    },
    aroundSend:
      (send) =>
      (c, ...args) =>
        during(c, () => send(c, ...args)),
    drain,
    async scheduled(_controller, _env, ctx) {
      const done = logged(drain());
      ctx.waitUntil(done);
      await done;
    },
  };
}
