/**
 * `@twclid-kit/server/postgres`: the outbox and X's shared budget in
 * PostgreSQL, for apps on several instances (Node only, through node-postgres,
 * an optional peer dependency: `npm install pg@^8`).
 */
export type { PostgresOutbox, PostgresOutboxOptions } from './postgres/outbox.ts';
export { openPostgresOutbox, postgresOutbox } from './postgres/outbox.ts';
export { PG_SCHEMA_VERSION } from './postgres/schema.ts';
