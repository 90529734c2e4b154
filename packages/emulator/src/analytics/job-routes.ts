/**
 * Asynchronous stats jobs (docs/x-api.md §9): create, poll, and download the
 * gzip result from the address a finished job names. Creating a job answers
 * with `X-Concurrent-Job-Limit(-Remaining)`; one past the limit is 400
 * TOO_MANY_JOBS.
 */
import type { Context, Hono } from 'hono';
import type { EmulatorContext, Env } from '../emulator-context.ts';
import { xError } from '../x-response.ts';
import type { Job } from './jobs.ts';
import { authorizeRead } from './read-auth.ts';
import { parseStatsQuery } from './stats-params.ts';
import { queryParams } from './stats-routes.ts';

/** Most ids one `job_ids` filter may name (docs/x-api.md §9). */
const MAX_JOB_IDS = 200;
const RESULTS_PATH = '/_emulator/stats-results';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function jobView(job: Job, origin: string) {
  const q = job.query;
  return {
    id: job.id,
    id_str: job.idStr,
    status: job.status,
    url: job.status === 'SUCCESS' ? `${origin}${RESULTS_PATH}/${job.idStr}.json.gz` : null,
    entity: q.entity,
    entity_ids: q.entityIds,
    start_time: iso(q.start),
    end_time: iso(q.end),
    granularity: q.granularity,
    metric_groups: ['WEB_CONVERSION'],
    placement: q.placement,
    segmentation_type: q.segmentation,
    country: null,
    platform: null,
    created_at: iso(job.createdAt),
    updated_at: iso(job.updatedAt),
    expires_at: iso(job.expiresAt),
  };
}

/** Query parameters plus, for a form-encoded POST, the body's. */
function jobParams(c: Context<Env>, accountId: string, formBody: string | undefined) {
  const params: Record<string, string> = { account_id: accountId, ...queryParams(c) };
  if (formBody) for (const [k, v] of new URLSearchParams(formBody)) params[k] = v;
  return params;
}

export function mountJobs(app: Hono<Env>, ctx: EmulatorContext): void {
  const { jobs } = ctx;
  const limit = ctx.config.analytics.maxProcessingJobs;

  app.post('/:version{[0-9]+}/stats/jobs/accounts/:accountId', async (c) => {
    const accountId = c.req.param('accountId');
    const access = await authorizeRead(c, ctx, accountId, { account_id: accountId }, 'stats');
    if (!access.ok) return access.response;
    const params = jobParams(c, accountId, access.formBody);
    const account = ctx.config.accountsById.get(accountId);
    if (!account) return xError(c, 404, [{ code: 'NOT_FOUND', message: 'no account' }], params);
    const parsed = parseStatsQuery(params, account, 'job');
    if (!parsed.ok) return xError(c, 400, [parsed.error], params);
    const now = ctx.clock.now();
    const processing = jobs.processing(accountId, now);
    if (processing >= limit) {
      const message = `Maximum of ${limit} concurrent jobs per account reached; wait for jobs to finish`;
      return xError(c, 400, [{ code: 'TOO_MANY_JOBS', message }], params, {
        'x-concurrent-job-limit': String(limit),
        'x-concurrent-job-limit-remaining': '0',
      });
    }
    const job = jobs.create(accountId, parsed.query, params, now);
    const headers = {
      'x-concurrent-job-limit': String(limit),
      'x-concurrent-job-limit-remaining': String(limit - processing - 1),
    };
    return c.json(
      { data: jobView(job, new URL(c.req.url).origin), request: { params } },
      200,
      headers,
    );
  });

  app.get('/:version{[0-9]+}/stats/jobs/accounts/:accountId', async (c) => {
    const accountId = c.req.param('accountId');
    const params: Record<string, string> = { account_id: accountId, ...queryParams(c) };
    const access = await authorizeRead(c, ctx, accountId, params, 'stats');
    if (!access.ok) return access.response;
    const ids = params.job_ids?.split(',').map((s) => s.trim());
    if (ids && (ids.length > MAX_JOB_IDS || ids.some((id) => id === ''))) {
      const message = `job_ids must list 1 to ${MAX_JOB_IDS} ids separated by commas`;
      return xError(c, 400, [{ code: 'INVALID_PARAMETER', message, parameter: 'job_ids' }], params);
    }
    const now = ctx.clock.now();
    const origin = new URL(c.req.url).origin;
    const data = jobs.poll(accountId, ids, now).map((job) => jobView(job, origin));
    return c.json({ data, next_cursor: null, request: { params } });
  });

  // The result file: public like X's download address, gzip bytes without Content-Encoding.
  app.get(`${RESULTS_PATH}/:file{[0-9]+\\.json\\.gz}`, (c) => {
    const job = jobs.get(c.req.param('file').replace('.json.gz', ''));
    const missing = () => c.json({ error: { field: 'job', message: 'no such result (yet)' } }, 404);
    if (!job?.result) return missing();
    job.downloads++;
    if (job.downloads <= ctx.config.analytics.resultLagRequests) return missing();
    return c.body(job.result as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'application/gzip',
    });
  });
}
