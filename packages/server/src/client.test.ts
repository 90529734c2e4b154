import { afterEach, describe, expect, it, vi } from 'vitest';
import { verifyRfc5849 } from '../test/rfc5849-verify.ts';
import { createXClient } from './client.ts';
import type { CapiConversion, XAuth } from './x-types.ts';

const OAUTH: XAuth = {
  kind: 'oauth1',
  consumerKey: 'ck',
  consumerSecret: 'consumer secret!',
  accessToken: 'at',
  accessTokenSecret: "token (secret)'*",
};
const CONVERSION: CapiConversion = {
  conversion_time: '2024-05-01T12:00:00.000Z',
  event_id: 'o87ne',
  identifiers: [{ twclid: '23opevjt88psuo13lu8d020qkn' }],
  conversion_id: 'c-1',
};
const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);

interface Captured {
  url: string;
  init: RequestInit;
}

function fakeFetch(respond: () => Response | Promise<Response>) {
  const calls: Captured[] = [];
  const fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    return respond();
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });
}

function client(respond: () => Response | Promise<Response>, auth: XAuth = OAUTH) {
  const fake = fakeFetch(respond);
  const x = createXClient({ auth, fetch: fake.fetch, now: () => NOW, nonce: () => 'fixednonce' });
  return { x, calls: fake.calls };
}

const X_SUCCESS = {
  request: { params: { account_id: '18ce552mlaq' } },
  data: { conversions_processed: 1, debug_id: 'ff02e052-36e4-47d6-bdf0-6d8986446562' },
};

afterEach(() => {
  vi.useRealTimers();
});

describe('createXClient().send', () => {
  it('posts {conversions} as JSON to /12/measurement/conversions/:pixel_id and reads X’s success', async () => {
    const { x, calls } = client(json(200, X_SUCCESS));
    const outcome = await x.send('o8z6j', [CONVERSION]);
    expect(outcome).toEqual({
      ok: true,
      kind: 'ok',
      status: 200,
      conversionsProcessed: 1,
      debugId: 'ff02e052-36e4-47d6-bdf0-6d8986446562',
    });
    expect(calls).toHaveLength(1);
    const call = calls[0] as Captured;
    expect(call.url).toBe('https://ads-api.x.com/12/measurement/conversions/o8z6j');
    expect(call.init.method).toBe('POST');
    expect(JSON.parse(String(call.init.body))).toEqual({ conversions: [CONVERSION] });
    const headers = call.init.headers as Record<string, string>;
    expect(headers['content-type']).toBe('application/json');
  });

  it('signs so that an independent RFC 5849 verifier (node:crypto) accepts it', async () => {
    const { x, calls } = client(json(200, X_SUCCESS));
    await x.send('o8z6j', [CONVERSION]);
    const call = calls[0] as Captured;
    const authorization = (call.init.headers as Record<string, string>).authorization as string;
    expect(authorization).toMatch(/^OAuth oauth_consumer_key="ck", oauth_nonce="fixednonce", /);
    expect(authorization).toContain(`oauth_timestamp="${NOW / 1000}"`);
    expect(
      verifyRfc5849({
        method: 'POST',
        url: call.url,
        authorization,
        consumerSecret: 'consumer secret!',
        tokenSecret: "token (secret)'*",
      }),
    ).toBe(true);
    // A wrong secret must not verify: the check has teeth.
    expect(
      verifyRfc5849({
        method: 'POST',
        url: call.url,
        authorization,
        consumerSecret: 'consumer secret',
        tokenSecret: "token (secret)'*",
      }),
    ).toBe(false);
  });

  it('sends X-Pixel-Token instead of OAuth when configured', async () => {
    const { x, calls } = client(json(200, X_SUCCESS), { kind: 'pixel-token', token: 'pt-1' });
    await x.send('o8z6j', [CONVERSION]);
    const headers = (calls[0] as Captured).init.headers as Record<string, string>;
    expect(headers['x-pixel-token']).toBe('pt-1');
    expect(headers.authorization).toBeUndefined();
  });

  it('uses the configured base URL and version', async () => {
    const fake = fakeFetch(json(200, X_SUCCESS));
    const x = createXClient({
      auth: OAUTH,
      fetch: fake.fetch,
      baseUrl: 'http://127.0.0.1:8787/',
      version: 11,
    });
    await x.send('o8z6j', [CONVERSION]);
    expect(fake.calls[0]?.url).toBe('http://127.0.0.1:8787/11/measurement/conversions/o8z6j');
  });

  it('parses rate-limit headers, preferring the account-level ones', async () => {
    const { x } = client(
      json(200, X_SUCCESS, {
        'x-rate-limit-limit': '100000',
        'x-rate-limit-remaining': '99999',
        'x-rate-limit-reset': '1714565700',
        'x-account-rate-limit-limit': '60000',
        'x-account-rate-limit-remaining': '59000',
        'x-account-rate-limit-reset': '1714565800',
      }),
    );
    const outcome = await x.send('o8z6j', [CONVERSION]);
    expect(outcome.rateLimit).toEqual({
      account: true,
      limit: 60000,
      remaining: 59000,
      resetAt: 1714565800_000,
    });
  });

  it('400: X’s error list, every entry', async () => {
    const errors = [
      {
        code: 'INVALID_PARAMETER',
        message: 'hashed_email (abc) is not a valid SHA-256 hash',
        parameter: 'hashed_email',
      },
      { code: 'MISSING_PARAMETER', message: 'At least one user identifier must be provided' },
    ];
    const { x } = client(json(400, { errors, request: { params: {} } }));
    expect(await x.send('o8z6j', [CONVERSION])).toEqual({
      ok: false,
      kind: 'invalid',
      status: 400,
      errors,
    });
  });

  it.each([
    [401, 'auth', 'UNAUTHORIZED_ACCESS'],
    [403, 'auth', 'UNAUTHORIZED_CLIENT_APPLICATION'],
    [404, 'not_found', 'WEB_EVENT_TAG_NOT_FOUND'],
    [408, 'transient', 'CANCELLED_REQUEST'],
    [423, 'transient', 'LOCK_ACQUISITION_TIMEOUT'],
    [500, 'transient', 'INTERNAL_ERROR'],
    [503, 'transient', 'SERVICE_UNAVAILABLE'],
    [418, 'unexpected', 'TEAPOT'],
  ])('%i → %s', async (status, kind, code) => {
    const { x } = client(json(status, { errors: [{ code, message: 'm' }] }));
    const outcome = await x.send('o8z6j', [CONVERSION]);
    expect(outcome).toMatchObject({ ok: false, kind, status, errors: [{ code, message: 'm' }] });
  });

  it('429: reset from x-account-rate-limit-reset (epoch seconds)', async () => {
    const { x } = client(
      json(
        429,
        { errors: [{ code: 'TOO_MANY_REQUESTS', message: 'slow down' }] },
        {
          'x-account-rate-limit-remaining': '0',
          'x-account-rate-limit-reset': String(NOW / 1000 + 300),
        },
      ),
    );
    expect(await x.send('o8z6j', [CONVERSION])).toMatchObject({
      kind: 'rate_limited',
      status: 429,
      resetAt: NOW + 300_000,
      rateLimit: { remaining: 0, account: true },
    });
  });

  it.each([
    ['120', NOW + 120_000],
    ['Wed, 01 May 2024 12:05:00 GMT', NOW + 300_000],
  ])('429: Retry-After %j (RFC 9110 seconds or HTTP-date)', async (retryAfter, resetAt) => {
    const { x } = client(json(429, {}, { 'retry-after': retryAfter }));
    expect(await x.send('o8z6j', [CONVERSION])).toMatchObject({ kind: 'rate_limited', resetAt });
  });

  it('429 without any reset header: no resetAt (the retry policy falls back)', async () => {
    const { x } = client(json(429, {}));
    const outcome = await x.send('o8z6j', [CONVERSION]);
    expect(outcome.kind).toBe('rate_limited');
    expect(outcome).not.toHaveProperty('resetAt');
  });

  it('503 with Retry-After: retryAfterMs', async () => {
    const { x } = client(json(503, {}, { 'retry-after': '7' }));
    expect(await x.send('o8z6j', [CONVERSION])).toMatchObject({
      kind: 'transient',
      retryAfterMs: 7000,
    });
  });

  it('handles a non-JSON error body (a proxy’s HTML 404)', async () => {
    const { x } = client(
      () => new Response('<html><body>\n  Not   Found </body></html>', { status: 404 }),
    );
    expect(await x.send('o8z6j', [CONVERSION])).toEqual({
      ok: false,
      kind: 'not_found',
      status: 404,
      errors: [{ code: 'HTTP_404', message: '<html><body> Not Found </body></html>' }],
    });
  });

  it('handles an empty 502', async () => {
    const { x } = client(() => new Response(null, { status: 502 }));
    expect(await x.send('o8z6j', [CONVERSION])).toMatchObject({
      kind: 'transient',
      errors: [{ code: 'HTTP_502', message: 'HTTP 502' }],
    });
  });

  it('network error → kind network, never a throw', async () => {
    const { x } = client(() => {
      throw new TypeError('fetch failed');
    });
    expect(await x.send('o8z6j', [CONVERSION])).toEqual({
      ok: false,
      kind: 'network',
      message: 'fetch failed',
    });
  });

  it('times out through AbortSignal (fake time)', async () => {
    vi.useFakeTimers();
    let signal: AbortSignal | undefined;
    const fetch = ((_url: string, init: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        signal = init.signal ?? undefined;
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      })) as unknown as typeof globalThis.fetch;
    const x = createXClient({ auth: OAUTH, fetch, timeoutMs: 5_000 });
    const pending = x.send('o8z6j', [CONVERSION]);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await pending).toEqual({
      ok: false,
      kind: 'timeout',
      message: 'no answer within 5000 ms',
    });
    expect(signal?.aborted).toBe(true);
  });

  it('times out while reading a stalled body, too', async () => {
    vi.useFakeTimers();
    const fetch = ((_url: string, init: RequestInit) => {
      const body = new ReadableStream({
        start(controller) {
          init.signal?.addEventListener('abort', () => controller.error(init.signal?.reason));
        },
      });
      return Promise.resolve(new Response(body, { status: 200 }));
    }) as unknown as typeof globalThis.fetch;
    const x = createXClient({ auth: OAUTH, fetch, timeoutMs: 1_000 });
    const pending = x.send('o8z6j', [CONVERSION]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await pending).kind).toBe('timeout');
  });

  it('refuses 0 or 501 conversions locally, as X would (400)', async () => {
    const { x, calls } = client(json(200, X_SUCCESS));
    expect(await x.send('o8z6j', [])).toMatchObject({ kind: 'invalid', status: 400 });
    expect(await x.send('o8z6j', Array(501).fill(CONVERSION))).toMatchObject({ kind: 'invalid' });
    expect(calls).toHaveLength(0);
    expect((await x.send('o8z6j', Array(500).fill(CONVERSION))).kind).toBe('ok');
  });

  it('escapes the pixel ID in the path', async () => {
    const { x, calls } = client(json(200, X_SUCCESS));
    await x.send('../accounts', [CONVERSION]);
    expect(calls[0]?.url).toBe('https://ads-api.x.com/12/measurement/conversions/..%2Faccounts');
  });
});
