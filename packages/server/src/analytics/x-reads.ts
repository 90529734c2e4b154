/**
 * Reads of X's Ads API for tag health and the delivery report
 * (docs/x-api.md §9): the ad account (its time zone), web event tags, active
 * campaigns, synchronous stats and asynchronous stats jobs. Every call is
 * signed with OAuth 1.0a: the `X-Pixel-Token` is documented for the
 * conversions endpoint only, so reads refuse it up front with
 * {@link AnalyticsError} `kind: 'pixel-token'`.
 */
import type { SigningAuth } from '../auth.ts';
import { rateLimitResetAt } from '../rate-limit-headers.ts';
import { signedFetch } from '../signed-fetch.ts';
import type { XApiError } from '../x-types.ts';

/** Why a read failed, for the CLI's hints and the README's errors table. */
export type AnalyticsErrorKind =
  | 'pixel-token'
  | 'no-account'
  | 'credentials'
  | 'access'
  | 'not-found'
  | 'rate-limited'
  | 'too-many-jobs'
  | 'http'
  | 'network';

export class AnalyticsError extends Error {
  readonly kind: AnalyticsErrorKind;
  readonly status?: number;
  readonly errors: readonly XApiError[];
  /** When X said the limit resets (epoch ms), for `rate-limited` and `too-many-jobs`. */
  readonly retryAt?: number;

  constructor(
    kind: AnalyticsErrorKind,
    message: string,
    details: { status?: number; errors?: readonly XApiError[]; retryAt?: number } = {},
  ) {
    super(message);
    this.name = 'AnalyticsError';
    this.kind = kind;
    if (details.status !== undefined) this.status = details.status;
    this.errors = details.errors ?? [];
    if (details.retryAt !== undefined) this.retryAt = details.retryAt;
  }
}

export function isAnalyticsError(error: unknown): error is AnalyticsError {
  return error instanceof AnalyticsError;
}

export interface AnalyticsClientOptions {
  baseUrl: string;
  version: string;
  accountId: string | undefined;
  auth: SigningAuth;
  fetch?: typeof fetch;
  now?: () => number;
  timeoutMs?: number;
}

/** One web event tag as X returns it; `status` is shown as it comes (no enum is documented). */
export interface WebEventTag {
  id: string;
  name?: string;
  type?: string;
  status?: string;
  lastTrackedAt: string | null;
  clickWindow?: number;
  viewThroughWindow?: number;
  deleted: boolean;
}

export interface ActiveEntity {
  id: string;
  placements: string[];
}

export interface StatsJob {
  id: string;
  status: string;
  url?: string;
}

/** The stats query parameters shared by the sync endpoint and the jobs. */
export interface StatsQuery {
  entityIds: readonly string[];
  startTime: string;
  endTime: string;
  placement: string;
  /** `CONVERSION_TAGS` for the per-tag report (jobs only). */
  segmentationType?: string;
}

/** The response body of the sync endpoint and of a job's result file. */
export interface StatsBody {
  data?: {
    id?: string;
    id_data?: {
      segment?: { segment_name?: string | null; segment_value?: string | null } | null;
      metrics?: Record<string, unknown>;
    }[];
  }[];
}

/** X's `errors` of a failed answer, or one `HTTP_<status>` entry when the body is not X's JSON. */
export async function readXErrors(response: Response): Promise<XApiError[]> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { errors?: XApiError[] };
    if (Array.isArray(body.errors) && body.errors.length > 0) return body.errors;
  } catch {
    // not JSON (a proxy page): the status is what counts
  }
  return [{ code: `HTTP_${response.status}`, message: text.replace(/\s+/g, ' ').slice(0, 160) }];
}

function errorsText(errors: readonly XApiError[]): string {
  return errors.map((e) => `${e.code}${e.message ? ` ${e.message}` : ''}`).join('; ');
}

/** Maps a non-2xx answer to an {@link AnalyticsError} naming what to fix. */
export async function errorFor(
  response: Response,
  what: string,
  now: number,
): Promise<AnalyticsError> {
  const errors = await readXErrors(response);
  const status = response.status;
  const detail = `${what}: HTTP ${status} ${errorsText(errors)}`;
  if (errors.some((e) => e.code === 'TOO_MANY_JOBS')) {
    return new AnalyticsError('too-many-jobs', detail, { status, errors });
  }
  const kind: AnalyticsErrorKind =
    status === 401
      ? 'credentials'
      : status === 403
        ? 'access'
        : status === 404
          ? 'not-found'
          : status === 429
            ? 'rate-limited'
            : 'http';
  const retryAt = status === 429 ? rateLimitResetAt(response.headers, now) : undefined;
  return new AnalyticsError(kind, detail, { status, errors, ...(retryAt ? { retryAt } : {}) });
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
const num = (v: unknown): number | undefined => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};

export function parseWebEventTag(raw: Record<string, unknown>): WebEventTag {
  const tag: WebEventTag = {
    id: str(raw.id_str) ?? str(raw.id) ?? '',
    lastTrackedAt: str(raw.last_tracked_at) ?? null,
    deleted: raw.deleted === true,
  };
  const name = str(raw.name);
  if (name !== undefined) tag.name = name;
  const type = str(raw.type);
  if (type !== undefined) tag.type = type;
  const status = str(raw.status);
  if (status !== undefined) tag.status = status;
  const click = num(raw.click_window);
  if (click !== undefined) tag.clickWindow = click;
  const view = num(raw.view_through_window);
  if (view !== undefined) tag.viewThroughWindow = view;
  return tag;
}

/** The query of a stats request: campaigns, days, web conversion metrics. */
function statsParams(query: StatsQuery): URLSearchParams {
  const params = new URLSearchParams({
    entity: 'CAMPAIGN',
    entity_ids: query.entityIds.join(','),
    start_time: query.startTime,
    end_time: query.endTime,
    granularity: 'DAY',
    metric_groups: 'WEB_CONVERSION',
    placement: query.placement,
  });
  if (query.segmentationType) params.set('segmentation_type', query.segmentationType);
  return params;
}

/**
 * The signed transport under the analytics reader: the account's path (which
 * needs OAuth 1.0a and an ad account) and one JSON call that turns a failure
 * into an {@link AnalyticsError}.
 */
function analyticsTransport(options: AnalyticsClientOptions) {
  const now = options.now ?? Date.now;
  const auth = options.auth;
  const account = options.accountId;

  function accountPath(): string {
    if (auth.kind === 'pixel-token') {
      throw new AnalyticsError(
        'pixel-token',
        'reading web event tags and stats needs OAuth 1.0a Ads API credentials with Standard access; the X-Pixel-Token only sends conversions',
      );
    }
    if (!account) {
      throw new AnalyticsError(
        'no-account',
        'X_AD_ACCOUNT_ID is not set (the ad account that owns the pixel)',
      );
    }
    return encodeURIComponent(account);
  }

  async function call(method: string, url: string, what: string): Promise<Response> {
    let response: Response;
    try {
      response = await signedFetch(method, url, auth, {
        fetch: options.fetch,
        now,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new AnalyticsError('network', `${what}: ${message}`);
    }
    if (!response.ok) throw await errorFor(response, what, now());
    return response;
  }

  async function json<T>(
    method: string,
    url: string,
    what: string,
  ): Promise<{ body: T; headers: Headers }> {
    const response = await call(method, url, what);
    const body = (await response.json().catch(() => ({}))) as T;
    return { body, headers: response.headers };
  }

  return {
    account,
    root: `${options.baseUrl.replace(/\/+$/, '')}/${options.version}`,
    accountPath,
    json,
  };
}

/** A signed reader of one ad account's analytics. */
export function createAnalyticsClient(options: AnalyticsClientOptions) {
  const { account, root, accountPath, json } = analyticsTransport(options);

  return {
    /** The account's name and time zone (`GET /:version/accounts/:id`). */
    async account(): Promise<{ id: string; name?: string; timezone: string }> {
      const id = accountPath();
      const { body } = await json<{ data?: { name?: string; timezone?: string } }>(
        'GET',
        `${root}/accounts/${id}`,
        `ad account ${account}`,
      );
      return {
        id: account as string,
        ...(body.data?.name ? { name: body.data.name } : {}),
        timezone: body.data?.timezone || 'UTC',
      };
    },

    /** The tags with these IDs, deleted ones included; an ID X does not know is absent. */
    async webEventTags(ids: readonly string[]): Promise<WebEventTag[]> {
      const id = accountPath();
      const tags: WebEventTag[] = [];
      for (let i = 0; i < ids.length; i += 200) {
        const params = new URLSearchParams({
          web_event_tag_ids: ids.slice(i, i + 200).join(','),
          with_deleted: 'true',
        });
        const { body } = await json<{ data?: Record<string, unknown>[] }>(
          'GET',
          `${root}/accounts/${id}/web_event_tags?${params}`,
          'web event tags',
        );
        for (const raw of body.data ?? []) tags.push(parseWebEventTag(raw));
      }
      return tags;
    },

    /** Campaigns with activity between the two instants (ISO 8601, whole hours). */
    async activeCampaigns(startTime: string, endTime: string): Promise<ActiveEntity[]> {
      const id = accountPath();
      const params = new URLSearchParams({
        entity: 'CAMPAIGN',
        start_time: startTime,
        end_time: endTime,
      });
      const { body } = await json<{ data?: Record<string, unknown>[] }>(
        'GET',
        `${root}/stats/accounts/${id}/active_entities?${params}`,
        'active campaigns',
      );
      return (body.data ?? []).map((raw) => ({
        id: str(raw.entity_id) ?? str(raw.id) ?? '',
        placements: Array.isArray(raw.placements) ? raw.placements.map(String) : [],
      }));
    },

    /** The synchronous stats endpoint (≤ 7 days, ≤ 20 entities). */
    async syncStats(query: StatsQuery): Promise<{ body: StatsBody; headers: Headers }> {
      const id = accountPath();
      return json<StatsBody>('GET', `${root}/stats/accounts/${id}?${statsParams(query)}`, 'stats');
    },

    /** Starts an asynchronous stats job; the headers carry X-Concurrent-Job-Limit(-Remaining). */
    async createJob(query: StatsQuery): Promise<{ job: StatsJob; headers: Headers }> {
      const id = accountPath();
      const { body, headers } = await json<{ data?: Record<string, unknown> }>(
        'POST',
        `${root}/stats/jobs/accounts/${id}?${statsParams(query)}`,
        'stats job',
      );
      const data = body.data ?? {};
      return {
        job: {
          id: str(data.id_str) ?? str(data.id) ?? '',
          status: str(data.status) ?? 'PROCESSING',
        },
        headers,
      };
    },

    /** The status (and, once SUCCESS, the result URL) of up to 200 jobs. */
    async jobs(ids: readonly string[]): Promise<StatsJob[]> {
      const id = accountPath();
      const params = new URLSearchParams({ job_ids: ids.join(',') });
      const { body } = await json<{ data?: Record<string, unknown>[] }>(
        'GET',
        `${root}/stats/jobs/accounts/${id}?${params}`,
        'stats jobs',
      );
      return (body.data ?? []).map((raw) => {
        const job: StatsJob = {
          id: str(raw.id_str) ?? str(raw.id) ?? '',
          status: str(raw.status) ?? 'PROCESSING',
        };
        const url = str(raw.url);
        if (url) job.url = url;
        return job;
      });
    },
  };
}

export type AnalyticsClient = ReturnType<typeof createAnalyticsClient>;
