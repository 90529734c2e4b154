/**
 * Asynchronous stats jobs (docs/x-api.md §9): PROCESSING until the job has
 * been polled `jobPolls` times and `jobDelayMs` of emulator time has passed,
 * then SUCCESS with a gzip JSON result computed at that moment. At most
 * `maxProcessingJobs` process at once per account.
 */
import { gzipSync } from 'node:zlib';
import type { ResolvedAnalytics } from './analytics-config.ts';
import type { StatsBody } from './stats-body.ts';
import type { StatsQuery } from './stats-params.ts';

export interface Job {
  id: number;
  idStr: string;
  accountId: string;
  query: StatsQuery;
  params: Record<string, string>;
  createdAt: number;
  updatedAt: number;
  polls: number;
  status: 'PROCESSING' | 'SUCCESS';
  result: Uint8Array | null;
  expiresAt: number | null;
  /** Downloads of the result so far (the first `resultLagRequests` answer 404). */
  downloads: number;
}

export interface JobStore {
  create(accountId: string, query: StatsQuery, params: Record<string, string>, now: number): Job;
  /** Jobs of the account still processing at `now`. */
  processing(accountId: string, now: number): number;
  /** Jobs of the account (all, or those named), each counted as polled once. */
  poll(accountId: string, ids: string[] | undefined, now: number): Job[];
  get(idStr: string): Job | undefined;
  all(): Job[];
  clear(): void;
}

/** Result files stay downloadable for a week after the job succeeds. */
const RESULT_TTL_MS = 7 * 24 * 3_600_000;
/** Numeric job IDs start here (X's are large integers; these stay exact in JSON). */
const FIRST_JOB_ID = 1_700_000_000_001;

export function createJobStore(
  settings: Pick<ResolvedAnalytics, 'jobPolls' | 'jobDelayMs'>,
  compute: (job: Job) => StatsBody,
): JobStore {
  const jobs = new Map<string, Job>();
  let next = FIRST_JOB_ID;

  const ready = (job: Job, now: number) =>
    job.polls >= settings.jobPolls && now >= job.createdAt + settings.jobDelayMs;

  const settle = (job: Job, now: number) => {
    if (job.status === 'SUCCESS' || !ready(job, now)) return;
    job.result = gzipSync(JSON.stringify(compute(job)));
    job.status = 'SUCCESS';
    job.updatedAt = now;
    job.expiresAt = now + RESULT_TTL_MS;
  };

  return {
    create(accountId, query, params, now) {
      // Expired jobs and their files go, so a long run keeps memory bounded.
      for (const [key, old] of jobs) {
        if (old.expiresAt !== null && old.expiresAt < now) jobs.delete(key);
      }
      const id = next++;
      const job: Job = {
        id,
        idStr: String(id),
        accountId,
        query,
        params,
        createdAt: now,
        updatedAt: now,
        polls: 0,
        status: 'PROCESSING',
        result: null,
        expiresAt: null,
        downloads: 0,
      };
      jobs.set(job.idStr, job);
      return job;
    },
    processing(accountId, now) {
      let n = 0;
      for (const job of jobs.values()) {
        if (job.accountId !== accountId) continue;
        settle(job, now);
        if (job.status === 'PROCESSING') n++;
      }
      return n;
    },
    poll(accountId, ids, now) {
      const out: Job[] = [];
      for (const job of jobs.values()) {
        if (job.accountId !== accountId || (ids && !ids.includes(job.idStr))) continue;
        job.polls++;
        settle(job, now);
        out.push(job);
      }
      return out;
    },
    get: (idStr) => jobs.get(idStr),
    all: () => [...jobs.values()],
    clear() {
      jobs.clear();
    },
  };
}
