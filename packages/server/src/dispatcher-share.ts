/**
 * The browser share of X's budget (docs/product.md "Safety (the server)"):
 * conversions posted to the public endpoint may use at most this share of the
 * account's budget, so a flood of them never takes the room that conversions
 * vouched for by the merchant's server (`kit.form()`, `sendConversion()`)
 * need. The share is a second rate budget over the same window, kept under
 * `<account>#browser`; the dispatcher takes from both before a claim and gives
 * back what the claim did not use.
 */
import type { OutboxEvent } from './outbox.ts';

/** Half of X's budget for browser posts; server copies are claimed first anyway. */
export const BROWSER_SHARE_DEFAULT = 0.5;

/** The key the browser share of an account is budgeted under. */
export function browserKey(account: string): string {
  return `${account}#browser`;
}

/** How many of the events came from the public endpoint. */
export function browserRows(events: readonly OutboxEvent[]): number {
  let n = 0;
  for (const e of events) if (e.origin === 'browser') n++;
  return n;
}

/** The share's limit for a budget of `limit` events: at least one event, so a share never blocks for good. */
export function browserShareLimit(limit: number, share: number): number {
  return Math.max(1, Math.floor(limit * share));
}
