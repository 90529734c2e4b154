/**
 * What the Postgres tests share: the server's URL (set by global-setup.ts) and
 * a fresh schema per store, so tests in parallel never see each other's rows.
 */
import { PG_URL_ENV } from './cluster.ts';

export function pgUrl(): string {
  const url = process.env[PG_URL_ENV];
  if (!url)
    throw new Error(
      `${PG_URL_ENV} is not set: run these tests through vitest's server-postgres project (it starts PostgreSQL)`,
    );
  return url;
}

let n = 0;
/** A schema name no other store of this run uses. */
export function freshSchema(prefix = 't'): string {
  n++;
  return `${prefix}_${process.pid}_${n}_${Math.floor(Math.random() * 1e9).toString(36)}`;
}
