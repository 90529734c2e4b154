/**
 * Asynchronous stats jobs (docs/x-api.md §9): start one job per query, poll
 * until SUCCESS, download the gzip JSON result. Keeps within X's limit of
 * 100 jobs processing per account (`X-Concurrent-Job-Limit-Remaining`; over
 * it X answers 400 `TOO_MANY_JOBS`, which waits for running jobs to finish and
 * then tries again) and retries the download, which can lag the status.
 */
import {
  type AnalyticsClient,
  AnalyticsError,
  type StatsBody,
  type StatsQuery,
} from './x-reads.ts';

/** X's cap on processing jobs per account (docs/x-api.md §9). */
export const MAX_PROCESSING_JOBS = 100;
/** At most this many job IDs per status poll (docs/x-api.md §9). */
export const MAX_JOB_IDS_PER_POLL = 200;
export const JOB_POLL_MS_DEFAULT = 5_000;
export const DOWNLOAD_ATTEMPTS = 5;
/** Give up when no job can be started for this long (X never freed a slot). */
export const TOO_MANY_JOBS_GIVE_UP_MS = 15 * 60_000;

export interface JobProgress {
  total: number;
  done: number;
  processing: number;
  /** Set while waiting because X answered TOO_MANY_JOBS. */
  waitingForSlots?: boolean;
}

export interface RunJobsOptions {
  client: AnalyticsClient;
  queries: readonly StatsQuery[];
  /** Fetch for the result files (plain GET, no signature). */
  fetch?: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  pollMs?: number;
  maxProcessing?: number;
  onProgress?: (progress: JobProgress) => void;
}

async function gunzipJson(response: Response): Promise<StatsBody> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  let text: string;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    text = await new Response(stream).text();
  } else {
    // Already decoded by the HTTP layer (Content-Encoding: gzip).
    text = new TextDecoder().decode(bytes);
  }
  return JSON.parse(text) as StatsBody;
}

/** Downloads one result file, retrying failures with a growing pause. */
export async function downloadResult(
  url: string,
  options: { fetch?: typeof fetch; sleep: (ms: number) => Promise<void>; pauseMs?: number },
): Promise<StatsBody> {
  const doFetch = options.fetch ?? globalThis.fetch;
  let last = '';
  for (let attempt = 1; attempt <= DOWNLOAD_ATTEMPTS; attempt++) {
    try {
      const response = await doFetch(url);
      if (response.ok) return await gunzipJson(response);
      await response.body?.cancel().catch(() => {});
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (attempt < DOWNLOAD_ATTEMPTS)
      await options.sleep((options.pauseMs ?? 1000) * 2 ** (attempt - 1));
  }
  throw new AnalyticsError(
    'http',
    `stats job result: download failed ${DOWNLOAD_ATTEMPTS} times (${last})`,
  );
}

function remainingSlots(headers: Headers): number | undefined {
  const value = headers.get('x-concurrent-job-limit-remaining');
  const n = value === null ? Number.NaN : Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Runs every query as a job; results come back in the order of `queries`. */
export async function runStatsJobs(options: RunJobsOptions): Promise<StatsBody[]> {
  const { client, queries, sleep, now } = options;
  const pollMs = options.pollMs ?? JOB_POLL_MS_DEFAULT;
  const cap = Math.min(options.maxProcessing ?? MAX_PROCESSING_JOBS, MAX_PROCESSING_JOBS);
  const results: StatsBody[] = new Array(queries.length);
  const active = new Map<string, number>(); // job id → query index
  let next = 0;
  let done = 0;
  let slots = cap;
  let blockedSince: number | undefined;
  const progress = (waitingForSlots = false) =>
    options.onProgress?.({
      total: queries.length,
      done,
      processing: active.size,
      ...(waitingForSlots ? { waitingForSlots } : {}),
    });

  while (done < queries.length) {
    let blocked = false;
    while (next < queries.length && active.size < slots) {
      try {
        const { job, headers } = await client.createJob(queries[next] as StatsQuery);
        active.set(job.id, next++);
        const remaining = remainingSlots(headers);
        if (remaining !== undefined) slots = Math.min(cap, active.size + remaining);
        blockedSince = undefined;
      } catch (error) {
        if (!(error instanceof AnalyticsError) || error.kind !== 'too-many-jobs') throw error;
        // Jobs this tool did not start hold slots too: wait for any to finish.
        blocked = true;
        slots = active.size;
        blockedSince ??= now();
        if (now() - blockedSince > TOO_MANY_JOBS_GIVE_UP_MS) throw error;
        break;
      }
    }
    progress(blocked);
    await sleep(pollMs);
    if (active.size === 0) {
      slots = Math.max(1, slots); // try one again after the pause
      continue;
    }
    const ids = [...active.keys()];
    for (let i = 0; i < ids.length; i += MAX_JOB_IDS_PER_POLL) {
      for (const job of await client.jobs(ids.slice(i, i + MAX_JOB_IDS_PER_POLL))) {
        const index = active.get(job.id);
        if (index === undefined || job.status !== 'SUCCESS' || !job.url) continue;
        results[index] = await downloadResult(job.url, { fetch: options.fetch, sleep });
        active.delete(job.id);
        done++;
        slots = Math.max(slots, active.size + 1);
      }
    }
    if (!blocked) slots = cap;
  }
  progress();
  return results;
}
