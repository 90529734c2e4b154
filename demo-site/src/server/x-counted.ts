/**
 * The dashboard's "Did X count it?" panel: tag health and sent vs attributed
 * per day, computed by `@twclid-kit/server/analytics`, the code behind
 * `twclid-kit tags` and `twclid-kit report` (docs/x-api.md §9). A report runs
 * stats jobs that take several polls, so it is refreshed in the background
 * every `refreshMs` and the dashboard shows the last result.
 */
import type { TwclidKitConfig } from '@twclid-kit/server';
import {
  buildReport,
  createAnalyticsClient,
  type DeliveredCount,
  type DeliveredCountsQuery,
  type DeliveryReport,
  isAnalyticsError,
  type TagHealth,
  tagHealth,
} from '@twclid-kit/server/analytics';
import type { DayView, TagView, XCountedView } from '../shared/dashboard-view.ts';

export const X_COUNTED_DAYS = 7;
export const X_COUNTED_REFRESH_MS = 30_000;

type CountsReader = {
  deliveredCounts?: (query: DeliveredCountsQuery) => Promise<DeliveredCount[]>;
};

export interface XCountedOptions {
  x: TwclidKitConfig;
  /** The kit's outbox; its delivered counts (`deliveredCounts`) are the "sent" side. */
  store: object;
  /** Event IDs the shop sends, so a tag shows before its first delivery. */
  events: readonly string[];
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** How often stats jobs are polled. */
  pollMs?: number;
  refreshMs?: number;
}

export interface XCountedSource {
  /** The last figures (or error), and a refresh started in the background when they are old. */
  current(): { view?: XCountedView; error?: string };
  /** Computes fresh figures now. */
  refresh(): Promise<void>;
}

export function toView(
  report: DeliveryReport,
  health: readonly TagHealth[],
  at: number,
): XCountedView {
  const days: DayView[] = report.days.map((day, i) => {
    const rows = report.rows.filter((r) => r.day === day);
    return {
      day,
      delivered: rows.reduce((n, r) => n + r.delivered, 0),
      attributed: rows.reduce((n, r) => n + r.attributed, 0),
      provisional:
        report.rows.find((r) => r.day === day)?.provisional ?? i === report.days.length - 1,
    };
  });
  const tags: TagView[] = health.map((h) => ({
    id: h.id,
    ...(h.tag?.name ? { name: h.tag.name } : {}),
    status: h.tag ? `${h.tag.status ?? '-'}${h.tag.deleted ? ' (deleted)' : ''}` : 'NOT FOUND',
    lastTrackedAt: h.tag?.lastTrackedAt ?? null,
    delivered: h.delivered,
    flags: h.flags,
  }));
  return { timezone: report.account.timezone, tags, days, notes: report.notes, updatedAt: at };
}

export function createXCountedSource(options: XCountedOptions): XCountedSource {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const client = createAnalyticsClient({
    baseUrl: options.x.baseUrl,
    version: options.x.version,
    accountId: options.x.adAccountId,
    auth: options.x.auth,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    now,
  });
  let view: XCountedView | undefined;
  let error: string | undefined;
  let running: Promise<void> | undefined;
  let lastStart = Number.NEGATIVE_INFINITY;

  async function compute(): Promise<void> {
    const at = now();
    try {
      const delivered =
        (await (options.store as CountsReader).deliveredCounts?.({ pixelId: options.x.pixelId })) ??
        [];
      const ids = [...new Set([...options.events, ...delivered.map((c) => c.eventId)])].sort();
      const report = await buildReport({
        client,
        delivered,
        tagIds: ids,
        days: X_COUNTED_DAYS,
        now,
        sleep,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        pollMs: options.pollMs ?? 1_000,
      });
      const tags = await client.webEventTags(ids);
      view = toView(report, tagHealth({ ids, tags, delivered, now: now() }), at);
      error = undefined;
    } catch (e) {
      error = !isAnalyticsError(e)
        ? `The report failed: ${e instanceof Error ? e.message : String(e)}`
        : e.kind === 'pixel-token'
          ? 'Tag and stats reads need OAuth 1.0a Ads API credentials with Standard access; a pixel token only sends conversions.'
          : e.message;
    }
  }

  const refresh = () => {
    lastStart = now();
    running ??= compute().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    current() {
      if (!running && now() - lastStart >= (options.refreshMs ?? X_COUNTED_REFRESH_MS)) {
        void refresh();
      }
      return { ...(view ? { view } : {}), ...(error ? { error } : {}) };
    },
    refresh,
  };
}
