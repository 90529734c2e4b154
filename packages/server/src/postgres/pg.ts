/**
 * node-postgres (`pg`), loaded on first import of `@twclid-kit/server/postgres`.
 *
 * It is an optional peer dependency (apps on the memory or SQLite outbox do not
 * need it), so its absence is turned into an error that names the fix.
 */
import type * as Pg from 'pg';
import { isMissingPackage } from '../missing-package.ts';

export const PG_INSTALL_HINT = 'npm install pg@^8';

async function load(): Promise<typeof Pg> {
  try {
    const mod = (await import('pg')) as typeof Pg & { default?: typeof Pg };
    return mod.default ?? mod;
  } catch (cause) {
    if (!isMissingPackage(cause, 'pg')) throw cause;
    throw new Error(
      `@twclid-kit/server/postgres needs pg, an optional peer dependency that is not installed: ${PG_INSTALL_HINT}`,
      { cause },
    );
  }
}

export const pg: typeof Pg = await load();
