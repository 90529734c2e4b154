/**
 * `@twclid-kit/server/durable-object`: the durable outbox for Cloudflare
 * Workers, in a Durable Object's SQLite storage. Export `TwclidOutboxObject`
 * from the Worker, bind it in wrangler's `durable_objects` with a
 * `new_sqlite_classes` migration, and give the kit
 * `durableObjectOutbox(env.OUTBOX)`. Runs on workerd only (it imports
 * `cloudflare:workers`); its declarations need no `@cloudflare/workers-types`.
 */

export type {
  DurableObjectNamespaceLike,
  DurableObjectOutbox,
  DurableObjectOutboxOptions,
} from './durable-object/client.ts';
export { durableObjectOutbox } from './durable-object/client.ts';
export type { DurableObjectBase, DurableObjectStateLike } from './durable-object/outbox-object.ts';
export { TwclidOutboxObject } from './durable-object/outbox-object.ts';
export type {
  DurableObjectStorageLike,
  SqlCursorLike,
  SqlStorageLike,
} from './durable-object/sql-storage-driver.ts';
export { durableObjectSqlDriver } from './durable-object/sql-storage-driver.ts';
export { isStoreUnavailableError, StoreUnavailableError } from './errors.ts';
