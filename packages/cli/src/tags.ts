/**
 * `twclid-kit tags`: for every event given with --event and every event the
 * outbox delivered, the web event tag as X reports it (name, type, status as
 * it comes, last_tracked_at, windows, deleted or unknown) next to the kit's
 * first and last delivery to it (docs/x-api.md §9). Doctor shows the same as
 * checks.
 */
import type { TwclidKitConfig } from '@twclid-kit/server';
import {
  type AnalyticsClient,
  AnalyticsError,
  createAnalyticsClient,
  type TagHealth,
  tagHealth,
} from '@twclid-kit/server/analytics';
import { shortEventId } from '@twclid-kit/server/core';
import type { CliIo } from './io.ts';
import { readDelivered } from './report-delivered.ts';

export interface TagsInput {
  config: TwclidKitConfig;
  events?: readonly string[];
  db?: string;
  timeoutMs?: number;
}

export function analyticsClient(
  config: TwclidKitConfig,
  io: CliIo,
  timeoutMs?: number,
): AnalyticsClient {
  return createAnalyticsClient({
    baseUrl: config.baseUrl,
    version: config.version,
    accountId: config.adAccountId,
    auth: config.auth,
    fetch: io.fetch,
    now: io.now,
    ...(timeoutMs ? { timeoutMs } : {}),
  });
}

export interface TagsResult {
  tags: TagHealth[];
  notes: string[];
}

/** Tag health for the given events and the outbox's; throws `AnalyticsError` on a refused read. */
export async function runTags(input: TagsInput, io: CliIo): Promise<TagsResult> {
  if (input.config.auth.kind !== 'oauth1') {
    // Before anything else: with a pixel token there is nothing this command can read.
    throw new AnalyticsError('pixel-token', 'tag reads need OAuth 1.0a');
  }
  const client = analyticsClient(input.config, io, input.timeoutMs);
  const delivered = await readDelivered({ ...(input.db ? { db: input.db } : {}) }, io, {
    pixelId: input.config.pixelId,
  });
  const ids = [
    ...new Set([
      ...(input.events ?? []).map(shortEventId),
      ...delivered.counts.map((c) => c.eventId),
    ]),
  ].sort();
  const notes = delivered.note ? [delivered.note] : [];
  if (ids.length === 0) {
    notes.push('no events to check: pass --event <id> or deliver a conversion first');
    return { tags: [], notes };
  }
  const tags = await client.webEventTags(ids);
  return { tags: tagHealth({ ids, tags, delivered: delivered.counts, now: io.now() }), notes };
}

const iso = (ms: number | null) =>
  ms === null ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/** One line of facts per tag, shared by `tags` and doctor. */
export function describeTag(h: TagHealth): string {
  if (!h.tag) return `${h.id}: not found in the ad account`;
  const t = h.tag;
  const windows = `click ${t.clickWindow ?? '?'}d, view ${t.viewThroughWindow ?? '?'}d`;
  return [
    `${h.id} ${t.name ? `"${t.name}"` : ''} ${t.type ?? ''}`.replace(/\s+/g, ' ').trim(),
    `${t.status ?? 'no status'}${t.deleted ? ' (deleted)' : ''}`,
    `last tracked ${t.lastTrackedAt ?? 'never'}`,
    windows,
    `kit delivered ${h.delivered}${h.delivered > 0 ? ` (first ${iso(h.firstDeliveryAt)}, last ${iso(h.lastDeliveryAt)} UTC)` : ''}`,
  ].join(', ');
}

export function printTags(result: TagsResult, io: CliIo, json: boolean): void {
  if (json) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const header = [
    'tag',
    'name',
    'type',
    'status',
    'last tracked',
    'windows',
    'delivered',
    'first delivery',
    'last delivery',
  ];
  const rows = result.tags.map((h) => [
    h.id,
    h.tag?.name ?? '-',
    h.tag?.type ?? '-',
    h.tag ? `${h.tag.status ?? '-'}${h.tag.deleted ? ' (deleted)' : ''}` : 'NOT FOUND',
    h.tag?.lastTrackedAt ?? (h.tag ? 'never' : '-'),
    h.tag ? `${h.tag.clickWindow ?? '?'}d/${h.tag.viewThroughWindow ?? '?'}d` : '-',
    String(h.delivered),
    iso(h.firstDeliveryAt),
    iso(h.lastDeliveryAt),
  ]);
  if (rows.length > 0) io.stdout.write(table([header, ...rows], new Set([6])));
  for (const h of result.tags) for (const flag of h.flags) io.stdout.write(`! ${h.id}: ${flag}\n`);
  for (const note of result.notes) io.stdout.write(`note: ${note}\n`);
  if (result.tags.length > 0) {
    io.stdout.write('windows are click/view-through days; delivery times are UTC.\n');
  }
}

/** Text columns left-aligned, the columns in `right` (numbers) right-aligned. */
export function table(rows: readonly (readonly string[])[], right: ReadonlySet<number>): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) =>
          right.has(i) ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number),
        )
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}
