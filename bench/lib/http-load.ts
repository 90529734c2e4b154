/**
 * A closed-loop HTTP load run with autocannon: fixed connections, fixed
 * duration, a fresh body per request. Returns throughput and latency figures.
 */
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  method?: 'POST' | 'GET';
  headers?: Record<string, string>;
  /** Called for every request: returns its body. */
  body?: () => string;
  connections?: number;
  durationS?: number;
  pipelining?: number;
}

export interface LoadResult {
  requests: number;
  /** Mean requests per second over the run. */
  rps: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCounts: Record<'1xx' | '2xx' | '3xx' | '4xx' | '5xx', number>;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'POST',
    connections: options.connections ?? 10,
    duration: options.durationS ?? 10,
    pipelining: options.pipelining ?? 1,
    headers: options.headers,
    requests: [
      {
        setupRequest(request) {
          if (options.body) request.body = options.body();
          return request;
        },
      },
    ],
  });
  const statusCounts: LoadResult['statusCounts'] = {
    '1xx': result['1xx'],
    '2xx': result['2xx'],
    '3xx': result['3xx'],
    '4xx': result['4xx'],
    '5xx': result['5xx'],
  };
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.average,
    },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCounts,
  };
}
