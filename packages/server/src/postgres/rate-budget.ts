/**
 * X's budget kept in Postgres, so every instance on the database spends from
 * one budget: together they never send more than `limit` events in any
 * rolling window per ad account (60,000 / 15 min, docs/x-api.md §2), and a
 * 429's reset pauses the account for all of them.
 *
 * The same exact rolling window as rate-budget.ts and rate-budget-sqlite.ts:
 * each spend is a row with its time and counts until `windowMs` later.
 * `take()` holds a transaction-level advisory lock per account while it reads
 * the window's sum and records the spend, so two instances cannot both see the
 * same free room (accounts do not wait for each other). A refund gives back
 * this instance's own newest spends.
 *
 * Times come from each instance's clock (`now`): instances whose clocks differ
 * by `d` ms may overlap by what `d` ms of spends amount to; keep them on NTP.
 */
import type * as Pg from 'pg';
import { budgetSettings, type RateBudgetOptions } from '../rate-budget.ts';
import type { RateBudget } from '../x-types.ts';
import { guardPg, inTransaction, lockSql, type Tables } from './schema.ts';

interface Spend {
  id: number;
  at: number;
  count: number;
}

/** Creates a budget on a migrated schema (see `postgresOutbox().rateBudget()`). */
export function postgresRateBudget(
  pool: Pg.Pool,
  t: Tables,
  options: RateBudgetOptions = {},
): RateBudget & Required<Pick<RateBudget, 'answered'>> {
  const { limit, windowMs, now } = budgetSettings(options);
  /** This instance's spends still in the window, newest last: what a refund may give back. */
  const mine = new Map<string, Spend[]>();
  const lockKey = (account: string) => `${t.schema}:budget:${account}`;

  async function take(account: string, wanted: number, at: number): Promise<number> {
    const want = Math.floor(wanted);
    if (!(want > 0)) return 0;
    return inTransaction(pool, async (client) => {
      await client.query(lockSql(true), [lockKey(account)]);
      const { rows } = await client.query<{ until: string | null; used: string }>(
        `WITH expired AS (DELETE FROM ${t.spends} WHERE account = $1 AND at <= $2::bigint - $3::bigint)
         SELECT (SELECT until FROM ${t.pauses} WHERE account = $1) AS until,
                (SELECT COALESCE(SUM(count), 0) FROM ${t.spends}
                 WHERE account = $1 AND at > $2::bigint - $3::bigint) AS used`,
        [account, at, windowMs],
      );
      const row = rows[0];
      if (at < Number(row?.until ?? 0)) return 0;
      const granted = Math.max(0, Math.min(want, limit - Number(row?.used ?? 0)));
      if (granted === 0) return 0;
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO ${t.spends} (account, at, count) VALUES ($1, $2, $3) RETURNING id`,
        [account, at, granted],
      );
      const list = (mine.get(account) ?? []).filter((s) => s.at > at - windowMs && s.count > 0);
      list.push({ id: Number(inserted.rows[0]?.id), at, count: granted });
      mine.set(account, list);
      return granted;
    });
  }

  /** Takes up to `count` events off this instance's newest spends (in memory); returns what to write. */
  function takeBack(account: string, count: number): { id: number; count: number }[] {
    let left = Math.max(0, Math.floor(count));
    const list = mine.get(account) ?? [];
    const back: { id: number; count: number }[] = [];
    for (let i = list.length - 1; i >= 0 && left > 0; i--) {
      const spend = list[i] as Spend;
      const n = Math.min(left, spend.count);
      if (n === 0) continue;
      spend.count -= n;
      left -= n;
      back.push({ id: spend.id, count: n });
    }
    return back;
  }
  const giveBackSql = `UPDATE ${t.spends} s SET count = s.count - r.n
     FROM unnest($1::bigint[], $2::int[]) AS r(id, n) WHERE s.id = r.id`;
  const giveBackArgs = (back: { id: number; count: number }[]) => [
    back.map((b) => b.id),
    back.map((b) => b.count),
  ];

  async function refund(account: string, count: number): Promise<void> {
    const back = takeBack(account, count);
    if (back.length === 0) return;
    await guardPg(pool, () => pool.query(giveBackSql, giveBackArgs(back)));
  }

  /**
   * The request ended: its events count from now (X may have received them
   * until now). Moved in one transaction under the account's lock, so no
   * taker sees them given back but not yet re-spent.
   */
  async function answered(account: string, count: number, at: number): Promise<void> {
    const back = takeBack(account, count);
    const moved = back.reduce((n, b) => n + b.count, 0);
    if (moved === 0) return;
    const id = await inTransaction(pool, async (client) => {
      await client.query(lockSql(true), [lockKey(account)]);
      await client.query(giveBackSql, giveBackArgs(back));
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO ${t.spends} (account, at, count) VALUES ($1, $2, $3) RETURNING id`,
        [account, at, moved],
      );
      return Number(inserted.rows[0]?.id);
    });
    const list = mine.get(account) ?? [];
    list.push({ id, at, count: moved });
    mine.set(account, list);
  }

  return {
    limits: { limit, windowMs },
    take: (account, wanted) => take(account, wanted, now()),
    refund,
    answered: (account, count) => answered(account, count, now()),
    async nextFreeAt(account) {
      const at = now();
      const { rows } = await guardPg(pool, () =>
        pool.query<{ until: string | null; at: string | null; count: number | null }>(
          `SELECT p.until, s.at, s.count
           FROM (SELECT 1) one
           LEFT JOIN ${t.pauses} p ON p.account = $1
           LEFT JOIN ${t.spends} s ON s.account = $1 AND s.at > $2::bigint - $3::bigint
           ORDER BY s.at, s.id`,
          [account, at, windowMs],
        ),
      );
      const start = Math.max(at, Number(rows[0]?.until ?? 0));
      const spends = rows.filter((r) => r.at !== null).map((r) => [Number(r.at), r.count ?? 0]);
      let inWindow = spends.reduce((n, [, c]) => n + (c as number), 0);
      // The oldest spends leave first; free once the window's sum drops below the limit.
      for (const [spentAt, count] of spends) {
        if (inWindow < limit) break;
        inWindow -= count as number;
        if (inWindow < limit) return Math.max(start, (spentAt as number) + windowMs);
      }
      return start;
    },
    async update(account, info) {
      // X says nothing more is allowed until the reset [RL]: every instance waits.
      if (info.remaining !== 0 || info.resetAt === undefined) return;
      await guardPg(pool, () =>
        pool.query(
          `INSERT INTO ${t.pauses} (account, until) VALUES ($1, $2)
           ON CONFLICT (account) DO UPDATE SET until = GREATEST(${t.pauses}.until, excluded.until)`,
          [account, info.resetAt],
        ),
      );
    },
  };
}
