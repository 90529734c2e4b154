/**
 * What the kit delivered, for `tags`, `report` and doctor's tag checks: the
 * outbox's delivered counts (per tag and hour, kept after rows are purged).
 * A missing database is not an error here: the app may not have sent anything
 * yet, or may run elsewhere; the commands say so in a note.
 */
import { existsSync } from 'node:fs';
import { DEFAULT_DB_PATH } from '@twclid-kit/server';
import type { DeliveredCount, DeliveredCountsQuery } from '@twclid-kit/server/analytics';
import type { CliIo } from './io.ts';
import { openOutbox } from './outbox-command.ts';

export interface DeliveredSource {
  counts: DeliveredCount[];
  /** Why the counts may be incomplete, in words; `undefined` when they are not. */
  note?: string;
}

type WithCounts = { deliveredCounts?: (query: DeliveredCountsQuery) => Promise<DeliveredCount[]> };

export async function readDelivered(
  flags: { db?: string },
  io: CliIo,
  query: DeliveredCountsQuery & { pixelId: string },
): Promise<DeliveredSource> {
  const path = flags.db ?? (io.env.TWCLID_KIT_DB?.trim() || DEFAULT_DB_PATH);
  if (!existsSync(path)) {
    return {
      counts: [],
      note: `no outbox at ${path}: delivered counts are 0 (set TWCLID_KIT_DB or --db)`,
    };
  }
  const { store } = await openOutbox({ db: path }, io);
  try {
    const reader = (store as WithCounts).deliveredCounts;
    if (!reader) return { counts: [], note: 'this outbox keeps no delivered counts' };
    return { counts: await reader.call(store, query) };
  } finally {
    await store.close();
  }
}
