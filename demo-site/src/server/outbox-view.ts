import type { KitStats } from '@twclid-kit/server';
import type { OutboxView } from '../shared/dashboard-view.ts';

/**
 * The kit's stats (`kit.stats()`, also served at `/tw/health` since the demo sets
 * `healthDetails: true`) as the dashboard shows them.
 */
export function outboxView(stats: KitStats, batchesSent?: number): OutboxView {
  const view: OutboxView = {
    pending: stats.pending,
    inFlight: stats.inFlight,
    delivered: stats.delivered,
    dead: stats.dead,
    suppressed: stats.counters.suppressed,
    debugIds: stats.lastDebugId ? [stats.lastDebugId] : [],
    pausedAccounts: stats.pausedAccounts.map((p) => p.account),
  };
  if (stats.oldestPendingAgeMs !== null) view.oldestPendingAgeMs = stats.oldestPendingAgeMs;
  if (batchesSent !== undefined) view.batches = batchesSent;
  return view;
}
