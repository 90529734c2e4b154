import { afterEach, describe, expect, it, vi } from 'vitest';
import { verifyRfc5849 } from '../test/rfc5849-verify.ts';
import { signedFetch } from './signed-fetch.ts';

const AUTH = {
  kind: 'oauth1' as const,
  consumerKey: 'ck',
  consumerSecret: 'cs',
  accessToken: 'at',
  accessTokenSecret: 'ats',
};

function capture() {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response('{}', { status: 200 });
  }) as unknown as typeof globalThis.fetch;
  return { calls, fetch };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('signedFetch', () => {
  it('signs the doctor’s access check (GET with a query) verifiably', async () => {
    const { calls, fetch } = capture();
    const url =
      'https://ads-api.x.com/12/accounts/18ce552mlaq/authenticated_user_access?with_deleted=true';
    const response = await signedFetch('GET', url, AUTH, { fetch, now: () => 1_700_000_000_000 });
    expect(response.status).toBe(200);
    const headers = calls[0]?.init.headers as Record<string, string>;
    expect(headers.authorization).toContain('oauth_timestamp="1700000000"');
    expect(
      verifyRfc5849({
        method: 'GET',
        url,
        authorization: headers.authorization as string,
        consumerSecret: 'cs',
        tokenSecret: 'ats',
      }),
    ).toBe(true);
  });

  it('signs a form body (3-legged access_token) once: regression, oauth_verifier was put in both header and body', async () => {
    const { calls, fetch } = capture();
    const url = 'https://api.x.com/oauth/access_token';
    await signedFetch(
      'POST',
      url,
      {
        kind: 'oauth1',
        consumerKey: 'ck',
        consumerSecret: 'cs',
        accessToken: 'req',
        accessTokenSecret: 'reqs',
      },
      { fetch, form: { oauth_verifier: '1234 5' } },
    );
    const init = calls[0]?.init as RequestInit;
    const headers = init.headers as Record<string, string>;
    expect(headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(init.body).toBe('oauth_verifier=1234+5');
    expect(
      verifyRfc5849({
        method: 'POST',
        url,
        authorization: headers.authorization as string,
        consumerSecret: 'cs',
        tokenSecret: 'reqs',
        formBody: String(init.body),
      }),
    ).toBe(true);
  });

  it('sends JSON unsigned and X-Pixel-Token when so configured', async () => {
    const { calls, fetch } = capture();
    await signedFetch(
      'POST',
      'https://ads-api.x.com/x',
      { kind: 'pixel-token', token: 't' },
      {
        fetch,
        json: { a: 1 },
      },
    );
    const init = calls[0]?.init as RequestInit;
    expect(init.body).toBe('{"a":1}');
    expect(init.headers).toMatchObject({
      'content-type': 'application/json',
      'x-pixel-token': 't',
    });
  });

  it('aborts after timeoutMs (fake time)', async () => {
    vi.useFakeTimers();
    const fetch = ((_url: string, init: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      })) as unknown as typeof globalThis.fetch;
    const pending = signedFetch('GET', 'https://ads-api.x.com/x', AUTH, { fetch, timeoutMs: 50 });
    const assertion = expect(pending).rejects.toMatchObject({ name: 'TimeoutError' });
    await vi.advanceTimersByTimeAsync(50);
    await assertion;
  });
});
