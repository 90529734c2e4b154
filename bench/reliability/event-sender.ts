/**
 * Posts valid events to a kit server the way browsers would, with bounded
 * concurrency, and records which ones the route accepted (2xx). Optionally
 * retries an event until it is accepted (a browser-side retry after the
 * server was down), keeping its conversion_id.
 */
import type { EventFactory, GeneratedEvent } from '../lib/wire-events.ts';
import { EVENT_HEADERS } from '../lib/wire-events.ts';

export interface SendOptions {
  events: EventFactory;
  count: number;
  concurrency: number;
  /** The server's current base URL (it may move between restarts). */
  baseUrl: () => string;
  /** Retry an event on connection errors and 5xx until this deadline (epoch ms). Default: no retry. */
  retryUntil?: number;
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
  /** Called with each event before it is first sent. */
  onEvent?: (event: GeneratedEvent) => void;
}

export interface SendReport {
  /** conversion_ids answered 2xx. */
  accepted: Set<string>;
  /** Events never accepted, with the last reason. */
  failed: { conversionId: string; reason: string }[];
  /** Attempts that failed but were retried (connection refused/reset, 5xx). */
  retriedAttempts: number;
  statusCounts: Map<number, number>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function sendEvents(options: SendOptions): Promise<SendReport> {
  const report: SendReport = {
    accepted: new Set(),
    failed: [],
    retriedAttempts: 0,
    statusCounts: new Map(),
  };
  let remaining = options.count;
  const worker = async (): Promise<void> => {
    while (remaining > 0) {
      remaining--;
      const generated = options.events.next();
      options.onEvent?.(generated);
      const id = generated.event.conversion_id;
      for (;;) {
        let reason: string;
        let retryable: boolean;
        try {
          const response = await fetch(`${options.baseUrl()}/tw/events`, {
            method: 'POST',
            headers: EVENT_HEADERS,
            body: generated.body,
            signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
          });
          await response.arrayBuffer();
          report.statusCounts.set(
            response.status,
            (report.statusCounts.get(response.status) ?? 0) + 1,
          );
          if (response.ok) {
            report.accepted.add(id);
            break;
          }
          reason = `HTTP ${response.status}`;
          retryable = response.status >= 500;
        } catch (error) {
          reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          retryable = true;
        }
        if (!retryable || options.retryUntil === undefined || Date.now() > options.retryUntil) {
          report.failed.push({ conversionId: id, reason });
          break;
        }
        report.retriedAttempts++;
        await sleep(50 + Math.random() * 150);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return report;
}
