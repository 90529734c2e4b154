/**
 * Vitest global setup of the `server-postgres` project: one real PostgreSQL
 * for the whole run (cluster.ts), its URL handed to the tests in
 * `TWCLID_KIT_TEST_PG_URL`, stopped and removed at the end.
 */
import { PG_URL_ENV, startTestPostgres } from './cluster.ts';

export default async function setup(): Promise<() => void> {
  const server = await startTestPostgres();
  process.env[PG_URL_ENV] = server.url;
  return () => server.stop();
}
