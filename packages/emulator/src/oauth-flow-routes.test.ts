import { describe, expect, it } from 'vitest';
import { BASE, oauthHeader, signedPost, validConversion } from '../test/helpers.ts';
import { createEmulator } from './app.ts';
import { EMULATOR_DEFAULTS as D } from './defaults.ts';

const T0 = Date.parse('2026-11-28T12:00:00.000Z');
const TS = T0 / 1000;

describe('3-legged OAuth (request_token → authorize → access_token)', () => {
  it('issues a token that then works for the Ads API (PIN / oob flow)', async () => {
    const emu = createEmulator({
      now: () => T0,
      users: [
        { id: D.userId, screenName: D.screenName, access: { [D.accountId]: ['ACCOUNT_ADMIN'] } },
        { id: '777', screenName: 'marketer', access: { [D.accountId]: ['AD_MANAGER'] } },
      ],
      authorizingUserId: '777',
    });
    const rtUrl = `${BASE}/oauth/request_token`;
    const rt = await emu.app.request(rtUrl, {
      method: 'POST',
      headers: {
        authorization: oauthHeader('POST', rtUrl, {
          token: null,
          timestamp: TS,
          oauthParams: { oauth_callback: 'oob' },
        }),
      },
    });
    expect(rt.status).toBe(200);
    const rtBody = new URLSearchParams(await rt.text());
    expect(rtBody.get('oauth_callback_confirmed')).toBe('true');
    const requestToken = rtBody.get('oauth_token') as string;
    const requestSecret = rtBody.get('oauth_token_secret') as string;

    const page = await emu.app.request(`${BASE}/oauth/authorize?oauth_token=${requestToken}`);
    expect(page.headers.get('content-type')).toContain('text/html');
    const pin = /<code id="oauth_pin">(\d{7})<\/code>/.exec(await page.text())?.[1] as string;
    expect(pin).toMatch(/^\d{7}$/);

    const atUrl = `${BASE}/oauth/access_token`;
    const wrongPin = await emu.app.request(atUrl, {
      method: 'POST',
      headers: {
        authorization: oauthHeader('POST', atUrl, {
          token: requestToken,
          tokenSecret: requestSecret,
          timestamp: TS,
          oauthParams: { oauth_verifier: pin === '0000000' ? '1111111' : '0000000' },
        }),
      },
    });
    expect(wrongPin.status).toBe(401);

    const at = await emu.app.request(atUrl, {
      method: 'POST',
      headers: {
        authorization: oauthHeader('POST', atUrl, {
          token: requestToken,
          tokenSecret: requestSecret,
          timestamp: TS,
          oauthParams: { oauth_verifier: pin },
        }),
      },
    });
    expect(at.status).toBe(200);
    const atBody = new URLSearchParams(await at.text());
    expect(atBody.get('user_id')).toBe('777');
    expect(atBody.get('screen_name')).toBe('marketer');
    const token = atBody.get('oauth_token') as string;
    const tokenSecret = atBody.get('oauth_token_secret') as string;
    expect(emu.issuedTokens()).toEqual([{ token, secret: tokenSecret, userId: '777' }]);

    // The request token is single use.
    const again = await emu.app.request(atUrl, {
      method: 'POST',
      headers: {
        authorization: oauthHeader('POST', atUrl, {
          token: requestToken,
          tokenSecret: requestSecret,
          timestamp: TS,
          oauthParams: { oauth_verifier: pin },
        }),
      },
    });
    expect(again.status).toBe(401);

    const access = `/12/accounts/${D.accountId}/authenticated_user_access`;
    const who = await emu.app.request(`${BASE}${access}`, {
      headers: {
        authorization: oauthHeader('GET', `${BASE}${access}`, {
          token,
          tokenSecret,
          timestamp: TS,
        }),
      },
    });
    expect(await who.json()).toMatchObject({
      data: { user_id: '777', permissions: ['AD_MANAGER'] },
    });

    const { url, init } = signedPost(
      { conversions: [validConversion()] },
      { token, tokenSecret, timestamp: TS },
    );
    const conv = await emu.app.request(url, init);
    expect(conv.status).toBe(200);
    expect(emu.state.events()[0]?.auth).toMatchObject({ ok: true, userId: '777' });
  });

  it('takes oauth_verifier from a signed form body too', async () => {
    const emu = createEmulator({ now: () => T0 });
    const rtUrl = `${BASE}/oauth/request_token?oauth_callback=oob`;
    const rt = await emu.app.request(rtUrl, {
      method: 'POST',
      headers: { authorization: oauthHeader('POST', rtUrl, { token: null, timestamp: TS }) },
    });
    expect(rt.status).toBe(200);
    const rtBody = new URLSearchParams(await rt.text());
    const requestToken = rtBody.get('oauth_token') as string;
    const page = await emu.app.request(`${BASE}/oauth/authorize?oauth_token=${requestToken}`);
    const pin = /<code id="oauth_pin">(\d{7})<\/code>/.exec(await page.text())?.[1] as string;
    const atUrl = `${BASE}/oauth/access_token`;
    const at = await emu.app.request(atUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: oauthHeader('POST', atUrl, {
          token: requestToken,
          tokenSecret: rtBody.get('oauth_token_secret') as string,
          timestamp: TS,
          data: { note: 'x' },
        }),
      },
      body: `note=x&oauth_verifier=${pin}`,
    });
    expect(at.status).toBe(401); // the verifier was not signed: the signature must fail
    const signed = await emu.app.request(atUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: oauthHeader('POST', atUrl, {
          token: requestToken,
          tokenSecret: rtBody.get('oauth_token_secret') as string,
          timestamp: TS,
          data: { oauth_verifier: pin },
          // Signed, but carried only in the body.
        }).replace(/, oauth_verifier="[^"]*"/, ''),
      },
      body: `oauth_verifier=${pin}`,
    });
    expect(signed.status).toBe(200);
    expect(new URLSearchParams(await signed.text()).get('user_id')).toBe(D.userId);
  });

  it('redirects to a callback URL with oauth_token and oauth_verifier', async () => {
    const emu = createEmulator({ now: () => T0 });
    const rtUrl = `${BASE}/oauth/request_token`;
    const rt = await emu.app.request(rtUrl, {
      method: 'POST',
      headers: {
        authorization: oauthHeader('POST', rtUrl, {
          token: null,
          timestamp: TS,
          oauthParams: { oauth_callback: 'http://127.0.0.1:5555/cb' },
        }),
      },
    });
    const requestToken = new URLSearchParams(await rt.text()).get('oauth_token') as string;
    const page = await emu.app.request(`${BASE}/oauth/authorize?oauth_token=${requestToken}`);
    expect(page.status).toBe(302);
    const location = new URL(page.headers.get('location') as string);
    expect(location.origin + location.pathname).toBe('http://127.0.0.1:5555/cb');
    expect(location.searchParams.get('oauth_token')).toBe(requestToken);
    expect(location.searchParams.get('oauth_verifier')).toMatch(/^\d{7}$/);
  });

  it('refuses request_token without a callback or with a bad signature, and authorize for an unknown token', async () => {
    const emu = createEmulator({ now: () => T0 });
    const rtUrl = `${BASE}/oauth/request_token`;
    const noCallback = await emu.app.request(rtUrl, {
      method: 'POST',
      headers: { authorization: oauthHeader('POST', rtUrl, { token: null, timestamp: TS }) },
    });
    expect(noCallback.status).toBe(400);
    const badSecret = await emu.app.request(rtUrl, {
      method: 'POST',
      headers: {
        authorization: oauthHeader('POST', rtUrl, {
          token: null,
          consumerSecret: 'wrong',
          timestamp: TS,
          oauthParams: { oauth_callback: 'oob' },
        }),
      },
    });
    expect(badSecret.status).toBe(401);
    expect((await emu.app.request(`${BASE}/oauth/authorize?oauth_token=nope`)).status).toBe(400);
  });
});
