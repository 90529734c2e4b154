/**
 * `twclid-kit outbox status|dead|retry|purge`: inspect and repair the SQLite
 * outbox the route writes to (`TWCLID_KIT_DB`), through the store's own API.
 * Safe while the app runs: SQLite (WAL) lets this process read and write
 * beside the app's dispatcher, and a requeued event is picked up by the
 * dispatcher's next poll.
 */
import { existsSync } from 'node:fs';
import {
  DEDUP_WINDOW_MIN_MS,
  DEDUP_WINDOW_MS_DEFAULT,
  DEFAULT_DB_PATH,
  type OutboxStore,
} from '@twclid-kit/server';
import { UsageError } from './exit-codes.ts';
import type { CliIo } from './io.ts';

export interface OutboxFlags {
  db?: string;
  json?: boolean;
}

/** Opens the existing outbox; a missing file is a usage error (it would be created empty). */
export async function openOutbox(
  flags: OutboxFlags,
  io: CliIo,
): Promise<{ store: OutboxStore; path: string }> {
  const path = flags.db ?? (io.env.TWCLID_KIT_DB?.trim() || DEFAULT_DB_PATH);
  if (!existsSync(path)) {
    throw new UsageError(
      `no outbox database at ${path}`,
      'point TWCLID_KIT_DB (or --db) at the file the app uses',
    );
  }
  // Imported here, not at the top: better-sqlite3 is an optional peer, and only
  // these commands need it.
  let sqlite: typeof import('@twclid-kit/server/sqlite');
  try {
    sqlite = await import('@twclid-kit/server/sqlite');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!message.includes('better-sqlite3')) throw error;
    throw new UsageError(message, 'install it beside the CLI: npm install better-sqlite3@^12');
  }
  return { store: sqlite.sqliteOutbox({ path }), path };
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `7d`, `48h`, `90m`, `30s`, `1500ms` or a bare number of milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  if (!match)
    throw new UsageError(`${flag} must be a duration such as 7d, 48h or 90m, not "${text}"`);
  return Math.round(Number(match[1]) * (UNITS[(match[2] ?? 'ms').toLowerCase()] as number));
}

export function formatAge(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

const out = (io: CliIo, value: unknown) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

export async function outboxStatus(flags: OutboxFlags, io: CliIo): Promise<number> {
  const { store, path } = await openOutbox(flags, io);
  try {
    const stats = await store.stats(io.now());
    if (flags.json) {
      out(io, { db: path, ...stats });
    } else {
      const accounts = Object.entries(stats.depthByAccount);
      const width = Math.max(7, ...accounts.map(([account]) => account.length));
      const oldestOf = (account: string) => {
        const age = stats.oldestPendingAgeMsByAccount[account];
        return age === undefined ? '-' : formatAge(age);
      };
      io.stdout.write(
        [
          `Outbox ${path}`,
          `  pending    ${stats.pending}`,
          `  in flight  ${stats.inFlight}`,
          `  delivered  ${stats.delivered}`,
          `  dead       ${stats.dead}${stats.dead > 0 ? '   (list: twclid-kit outbox dead)' : ''}`,
          `  oldest undelivered  ${stats.oldestPendingAgeMs === null ? '-' : formatAge(stats.oldestPendingAgeMs)}`,
          '  per account:',
          ...(accounts.length === 0
            ? ['    (empty)']
            : [
                `    ${'account'.padEnd(width)}  ${'depth'.padStart(7)}  oldest undelivered`,
                ...accounts.map(
                  ([account, depth]) =>
                    `    ${account.padEnd(width)}  ${String(depth).padStart(7)}  ${oldestOf(account)}`,
                ),
              ]),
          '',
        ].join('\n'),
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}

export async function outboxDead(
  flags: OutboxFlags & { limit?: string; account?: string },
  io: CliIo,
): Promise<number> {
  const limit = flags.limit === undefined ? 100 : Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError('--limit must be a positive integer');
  const { store } = await openOutbox(flags, io);
  try {
    const dead = await store.deadLetters({
      limit,
      ...(flags.account ? { account: flags.account } : {}),
    });
    // Conversions hold hashed identifiers only; the listing shows none of them anyway.
    const rows = dead.map((event) => ({
      id: event.id,
      account: event.account,
      pixelId: event.pixelId,
      eventId: event.conversion.event_id,
      conversionId: event.conversion.conversion_id ?? null,
      attempts: event.attempts,
      deadSince: new Date(event.updatedAt).toISOString(),
      reason: event.lastError ?? '',
    }));
    if (flags.json) out(io, { dead: rows });
    else if (rows.length === 0) io.stdout.write('No dead letters.\n');
    else {
      for (const row of rows) {
        io.stdout.write(
          `#${row.id}  ${row.account}  ${row.eventId}  conversion_id=${row.conversionId ?? '-'}  attempts=${row.attempts}  dead since ${row.deadSince}\n    ${row.reason}\n`,
        );
      }
      io.stdout.write(
        `\n${rows.length} dead letter${rows.length === 1 ? '' : 's'}. After fixing the cause: twclid-kit outbox retry [--id <id>...]\n`,
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}

export async function outboxRetry(
  flags: OutboxFlags & { id?: string[] },
  io: CliIo,
): Promise<number> {
  const ids = flags.id?.map((id) => {
    const n = Number(id);
    if (!Number.isInteger(n) || n < 1)
      throw new UsageError(`--id must be an event number, not "${id}"`);
    return n;
  });
  const { store } = await openOutbox(flags, io);
  try {
    const count = await store.requeueDead({ now: io.now(), ...(ids ? { ids } : {}) });
    if (flags.json) out(io, { requeued: count });
    else {
      io.stdout.write(
        `Requeued ${count} dead letter${count === 1 ? '' : 's'}; the app's dispatcher sends ${count === 1 ? 'it' : 'them'} on its next poll.\n`,
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}

export async function outboxPurge(
  flags: OutboxFlags & { olderThan?: string },
  io: CliIo,
): Promise<number> {
  const olderThanMs =
    flags.olderThan === undefined
      ? DEDUP_WINDOW_MS_DEFAULT
      : parseDuration(flags.olderThan, '--older-than');
  // Delivered rows are what the outbox deduplicates new events against; purging
  // younger ones than X's 48-hour window would let a repeated event through.
  if (olderThanMs < DEDUP_WINDOW_MIN_MS) {
    throw new UsageError(
      '--older-than must be at least 48h',
      "delivered rows younger than X's 48-hour deduplication window still guard against duplicates",
    );
  }
  const { store } = await openOutbox(flags, io);
  try {
    const count = await store.purgeDelivered({ now: io.now(), olderThanMs });
    if (flags.json) out(io, { purged: count, olderThanMs });
    else
      io.stdout.write(
        `Purged ${count} delivered event${count === 1 ? '' : 's'} older than ${formatAge(olderThanMs)}.\n`,
      );
    return 0;
  } finally {
    await store.close();
  }
}
