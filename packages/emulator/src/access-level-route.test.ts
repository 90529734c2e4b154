import { describe, expect, it } from 'vitest';
import { BASE, oauthHeader } from '../test/helpers.ts';
import { createEmulator } from './app.ts';
import { EMULATOR_DEFAULTS as D } from './defaults.ts';

const T0 = Date.parse('2026-11-28T12:00:00.000Z');
const TS = T0 / 1000;

describe('GET /:version/accounts/:account_id/authenticated_user_access', () => {
  const path = `/12/accounts/${D.accountId}/authenticated_user_access`;
  const get = (emu: ReturnType<typeof createEmulator>, p = path, sign = {}) =>
    emu.app.request(`${BASE}${p}`, {
      headers: { authorization: oauthHeader('GET', `${BASE}${p}`, { timestamp: TS, ...sign }) },
    });

  it("answers X's shape with the user's permissions", async () => {
    const emu = createEmulator({ now: () => T0 });
    const res = await get(emu);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      data: { user_id: D.userId, permissions: ['ACCOUNT_ADMIN'] },
      request: { params: { account_id: D.accountId } },
    });
  });

  it('reports configured access levels per user', async () => {
    const emu = createEmulator({
      now: () => T0,
      users: [
        {
          id: 'u2',
          screenName: 'ana',
          access: { [D.accountId]: ['CAMPAIGN_ANALYST', 'TWEET_COMPOSER'] },
        },
      ],
      tokens: [{ token: 'tok-ana', secret: 'sec-ana', userId: 'u2' }],
    });
    const res = await get(emu, path, { token: 'tok-ana', tokenSecret: 'sec-ana' });
    expect(await res.json()).toMatchObject({
      data: { user_id: 'u2', permissions: ['CAMPAIGN_ANALYST', 'TWEET_COMPOSER'] },
    });
  });

  it('answers 401 unsigned, 404 for an unknown account, 403 without access', async () => {
    const emu = createEmulator({
      now: () => T0,
      accounts: [
        { id: D.accountId, pixels: [] },
        { id: 'acc2', pixels: [] },
      ],
    });
    expect((await emu.app.request(`${BASE}${path}`)).status).toBe(401);
    expect((await get(emu, '/12/accounts/nope/authenticated_user_access')).status).toBe(404);
    const denied = await get(emu, '/12/accounts/acc2/authenticated_user_access');
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ errors: [{ code: 'UNAUTHORIZED_ACCESS' }] });
  });
});
