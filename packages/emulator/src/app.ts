/**
 * The emulator as a Hono app plus its in-process handle: Conversion API,
 * authenticated_user_access, web event tags and stats (docs/x-api.md §9),
 * 3-legged OAuth, the Pixel stand-in and the inspection API under `/_emulator`.
 */
import { Hono } from 'hono';
import { mountAccessLevel } from './access-level-route.ts';
import { mountJobs } from './analytics/job-routes.ts';
import { mountStats } from './analytics/stats-routes.ts';
import { mountTags } from './analytics/tags-routes.ts';
import type { EmulatorClock } from './clock.ts';
import { type EmulatorOptions, type ResolvedConfig, resolveConfig } from './config.ts';
import { DroppedConnectionError, mountConversions } from './conversions-route.ts';
import { createEmulatorContext, type Env, type IssuedToken } from './emulator-context.ts';
import type { FaultConfig } from './faults.ts';
import { type EmulatorInspector, mountInspection } from './inspection-routes.ts';
import { mountOAuthFlow } from './oauth-flow-routes.ts';
import { mountPixel } from './pixel-routes.ts';
import { xError } from './x-response.ts';

export { DroppedConnectionError } from './conversions-route.ts';
export type { IssuedToken } from './emulator-context.ts';
export type { EmulatorInspector } from './inspection-routes.ts';

export interface Emulator {
  /** The Hono app (use `app.request()` in tests, or serve it). */
  app: Hono<Env>;
  config: ResolvedConfig;
  clock: EmulatorClock;
  state: EmulatorInspector;
  faults(): FaultConfig;
  /** Applies a partial fault update; throws FaultConfigError naming a bad field. */
  setFaults(update: Partial<FaultConfig>): FaultConfig;
  /** Access tokens issued by the 3-legged flow so far. */
  issuedTokens(): IssuedToken[];
  /** Releases requests hung by a timeout fault (call before closing a server). */
  releaseHung(): void;
}

/**
 * Builds the emulator (app + handle) from options. Options are validated here,
 * once; an invalid option throws EmulatorConfigError naming the field.
 *
 * @example
 * const emu = createEmulator();
 * const res = await emu.app.request('/12/measurement/conversions/o8z6j', { method: 'POST', ... });
 * emu.state.conversions();
 */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const ctx = createEmulatorContext(resolveConfig(options));
  const app = new Hono<Env>();

  app.onError((err, c) => {
    // A deliberate drop propagates: under a server the socket is already gone, in app.request() it rejects.
    if (err instanceof DroppedConnectionError) throw err;
    return xError(c, 500, [{ code: 'INTERNAL_ERROR', message: 'Internal error' }], {});
  });
  app.notFound((c) =>
    xError(
      c,
      404,
      [{ code: 'ROUTE_NOT_FOUND', message: 'The requested resource could not be found' }],
      {},
    ),
  );

  mountConversions(app, ctx);
  mountAccessLevel(app, ctx);
  mountTags(app, ctx);
  mountStats(app, ctx);
  mountJobs(app, ctx);
  mountOAuthFlow(app, ctx);
  mountPixel(app, ctx);
  const inspector = mountInspection(app, ctx);

  return {
    app,
    config: ctx.config,
    clock: ctx.clock,
    state: inspector,
    faults: () => ctx.faults.config(),
    setFaults: (update) => ctx.faults.set(update),
    issuedTokens: () => ctx.issued.map((t) => ({ ...t })),
    releaseHung() {
      for (const done of [...ctx.hung]) done();
    },
  };
}

/** The Hono app alone (for `app.request()` tests or mounting in another server). */
export function createEmulatorApp(options: EmulatorOptions = {}): Hono<Env> {
  return createEmulator(options).app;
}
