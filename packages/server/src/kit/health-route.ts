/**
 * `GET <mount>/health`: whether the kit can store and deliver, for a load
 * balancer. The route is public, so by default it answers `{ status }` only,
 * with the same 200/503 codes as the full report (docs/product.md, "Safety
 * (the server)": nothing posted or fetched from outside reveals what is
 * stored). Counts, accounts, X's `debug_id`s and error messages are shown only
 * with `healthDetails: true`, or to a request carrying the configured bearer
 * token (`healthDetails: { token }`); `kit.stats()` returns them in code.
 */
import type { Context, Handler } from 'hono';
import { timingSafeEqual } from 'hono/utils/buffer';
import type { HealthReport } from './lifecycle.ts';

/** `healthDetails` as resolved: off, on for everyone, or on for one bearer token. */
export type HealthDetails = boolean | { token: string };

/** `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 9110 §11.1). */
const BEARER = /^bearer[ \t]+([^\s]+)[ \t]*$/i;

export interface HealthRouteOptions {
  details: HealthDetails;
  /** The full report (lifecycle.ts). */
  report: () => Promise<HealthReport>;
}

/** Whether the request carries the token; compared in constant time (hashed first, as Hono's `bearerAuth` does). */
async function carriesToken(c: Context, token: string): Promise<boolean> {
  const presented = BEARER.exec(c.req.header('authorization') ?? '')?.[1];
  return presented !== undefined && (await timingSafeEqual(presented, token));
}

/** Creates the health handler. */
export function createHealthRoute(options: HealthRouteOptions): Handler {
  const { details, report } = options;
  return async function twclidHealth(c) {
    const { body, httpStatus } = await report();
    const full = details === true || (details !== false && (await carriesToken(c, details.token)));
    // A status that changes by the second, and for one token only the full one.
    c.header('Cache-Control', 'no-store');
    return c.json(full ? body : { status: body.status }, httpStatus);
  };
}
