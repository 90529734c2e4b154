/**
 * better-sqlite3, loaded on first import of `@twclid-kit/server/sqlite`.
 *
 * It is an optional peer dependency (a native addon of about 29 MB that apps
 * on the memory outbox, or on runtimes without it, should not have to
 * install), so its absence is turned into an error that names the fix.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { isMissingPackage } from './missing-package.ts';

export const INSTALL_HINT = 'npm install better-sqlite3@^12';

export { isMissingPackage };

async function load(): Promise<typeof BetterSqlite3> {
  try {
    return (await import('better-sqlite3')).default;
  } catch (cause) {
    if (!isMissingPackage(cause, 'better-sqlite3')) throw cause;
    throw new Error(
      `@twclid-kit/server/sqlite needs better-sqlite3, an optional peer dependency that is not installed: ${INSTALL_HINT}`,
      { cause },
    );
  }
}

export const Database: typeof BetterSqlite3 = await load();
