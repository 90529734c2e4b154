/**
 * X's budget kept in the SQLite outbox file, so every process on the file
 * (Node's cluster module, PM2) spends from one budget: together they never
 * send more than `limit` events in any rolling window (docs/x-api.md §2), and
 * a 429's reset pauses the account for all of them.
 *
 * The same exact rolling window as rate-budget.ts: each spend is a row with
 * its time and counts until `windowMs` later. `take()` reads the window's sum
 * and records the spend in one `BEGIN IMMEDIATE` transaction, so two processes
 * cannot both see the same free room. A refund gives back this process's own
 * newest spends (another process's events did leave).
 */
import { budgetSettings, type RateBudgetOptions } from './rate-budget.ts';
import type { SqliteDriver } from './sqlite-driver.ts';
import { guarded, writeTx } from './sqlite-schema.ts';
import { REQUEST_TIMEOUT_MS_DEFAULT } from './x-limits.ts';
import type { RateBudget } from './x-types.ts';

/** Creates a budget on an open, migrated outbox database. */
export function sqliteRateBudget(db: SqliteDriver, options: RateBudgetOptions = {}): RateBudget {
  const { limit, windowMs, now } = budgetSettings(options);
  const inFlightMs = Math.max(0, options.inFlightMs ?? REQUEST_TIMEOUT_MS_DEFAULT);
  const expire = db.prepare(
    'DELETE FROM x_budget_spends WHERE account = @account AND at <= @before',
  );
  const used = db.prepare<{ account: string; after: number }, { n: number | null }>(
    'SELECT SUM(count) AS n FROM x_budget_spends WHERE account = @account AND at > @after',
  );
  const spends = db.prepare<{ account: string; after: number }, { at: number; count: number }>(
    'SELECT at, count FROM x_budget_spends WHERE account = @account AND at > @after ORDER BY at, id',
  );
  const insert = db.prepare<{ account: string; at: number; count: number }>(
    'INSERT INTO x_budget_spends (account, at, count) VALUES (@account, @at, @count)',
  );
  const giveBack = db.prepare<{ back: number; id: number }>(
    'UPDATE x_budget_spends SET count = count - @back WHERE id = @id',
  );
  const pausedUntil = db.prepare<{ account: string }, { until: number }>(
    'SELECT until FROM x_account_pauses WHERE account = @account',
  );
  const pause = db.prepare(
    `INSERT INTO x_account_pauses (account, until) VALUES (@account, @until)
     ON CONFLICT (account) DO UPDATE SET until = MAX(until, excluded.until)`,
  );
  /** This process's spends still in the window, newest last: what a refund may give back. */
  const mine = new Map<string, { id: number; at: number; count: number }[]>();

  const takeTx = writeTx(db, (account: string, wanted: number, at: number): number => {
    expire.run({ account, before: at - windowMs });
    if (at < (pausedUntil.get({ account })?.until ?? 0)) return 0;
    const free = limit - (used.get({ account, after: at - windowMs })?.n ?? 0);
    const granted = Math.max(0, Math.min(Math.floor(wanted), free));
    if (granted === 0) return 0;
    // Dated at the latest moment X may receive it, until `answered` re-dates it.
    const id = Number(insert.run({ account, at: at + inFlightMs, count: granted }).lastInsertRowid);
    const list = mine.get(account) ?? [];
    list.push({ id, at: at + inFlightMs, count: granted });
    mine.set(
      account,
      list.filter((s) => s.at > at - windowMs && s.count > 0),
    );
    return granted;
  });
  const refundTx = writeTx(db, (account: string, count: number): void => {
    let left = Math.max(0, Math.floor(count));
    const list = mine.get(account) ?? [];
    for (let i = list.length - 1; i >= 0 && left > 0; i--) {
      const spend = list[i] as { id: number; count: number };
      const back = Math.min(left, spend.count);
      giveBack.run({ back, id: spend.id });
      spend.count -= back;
      left -= back;
    }
  });
  const pauseTx = writeTx(db, (account: string, until: number) => pause.run({ account, until }));
  const answeredTx = writeTx(db, (account: string, count: number, at: number): void => {
    let left = Math.max(0, Math.floor(count));
    let moved = 0;
    const list = mine.get(account) ?? [];
    for (let i = list.length - 1; i >= 0 && left > 0; i--) {
      const spend = list[i] as { id: number; count: number };
      const back = Math.min(left, spend.count);
      giveBack.run({ back, id: spend.id });
      spend.count -= back;
      left -= back;
      moved += back;
    }
    if (moved === 0) return;
    const id = Number(insert.run({ account, at, count: moved }).lastInsertRowid);
    list.push({ id, at, count: moved });
    mine.set(account, list);
  });

  return {
    limits: { limit, windowMs },
    async take(account, wanted) {
      return takeTx(account, wanted, now());
    },
    async nextFreeAt(account) {
      const at = now();
      return guarded(() => {
        const start = Math.max(at, pausedUntil.get({ account })?.until ?? 0);
        const rows = spends.all({ account, after: at - windowMs });
        let inWindow = rows.reduce((n, r) => n + r.count, 0);
        // The oldest spends leave first; free once the window's sum drops below the limit.
        for (const row of rows) {
          if (inWindow < limit) break;
          inWindow -= row.count;
          if (inWindow < limit) return Math.max(start, row.at + windowMs);
        }
        return start;
      });
    },
    async refund(account, count) {
      refundTx(account, count);
    },
    async answered(account, count) {
      answeredTx(account, count, now());
    },
    async update(account, info) {
      // X says nothing more is allowed until the reset [RL]: every process waits.
      if (info.remaining === 0 && info.resetAt !== undefined) pauseTx(account, info.resetAt);
    },
  };
}
