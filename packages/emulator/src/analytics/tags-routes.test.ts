import { describe, expect, it } from 'vitest';
import { ACCOUNT, sendConversions, signedGet, T0 } from '../../test/analytics-helpers.ts';
import { BASE } from '../../test/helpers.ts';
import { createEmulator } from '../app.ts';
import { EmulatorConfigError } from '../config.ts';
import { EMULATOR_DEFAULTS as D } from '../defaults.ts';

const tagsPath = `/12/accounts/${ACCOUNT}/web_event_tags`;

describe('GET /12/accounts/:account_id', () => {
  it('answers the account with its time zone (America/Los_Angeles unless configured)', async () => {
    const emu = createEmulator({ now: () => T0 });
    const res = await signedGet(emu, `/12/accounts/${ACCOUNT}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: ACCOUNT, timezone: 'America/Los_Angeles' });
    expect(res.body.request.params).toEqual({ account_id: ACCOUNT });

    const tokyo = createEmulator({ now: () => T0, analytics: { timezone: 'Asia/Tokyo' } });
    expect((await signedGet(tokyo, `/12/accounts/${ACCOUNT}`)).body.data.timezone).toBe(
      'Asia/Tokyo',
    );
  });

  it('refuses an unknown time zone, share or tag type at start-up, naming the option', () => {
    const field = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        expect(err).toBeInstanceOf(EmulatorConfigError);
        return (err as EmulatorConfigError).field;
      }
      return 'no error';
    };
    expect(field(() => createEmulator({ analytics: { timezone: 'Mars/Olympus' } }))).toBe(
      'analytics.timezone',
    );
    expect(field(() => createEmulator({ analytics: { attributionShare: 1.5 } }))).toBe(
      'analytics.attributionShare',
    );
    const accounts = [
      { id: 'a1', pixels: [{ id: 'p1', events: [{ id: 'e1', type: 'LEAD' as never }] }] },
    ];
    expect(field(() => createEmulator({ accounts }))).toBe('accounts[0].pixels[0].events[0].type');
  });
});

describe('web event tags', () => {
  it('lists the configured events as UNVERIFIED tags before any conversion', async () => {
    const emu = createEmulator({ now: () => T0 });
    const res = await signedGet(emu, tagsPath);
    expect(res.status).toBe(200);
    expect(res.body.next_cursor).toBeNull();
    expect(res.body.data).toHaveLength(3);
    expect(res.body.data[0]).toEqual({
      id: D.events.purchase.id,
      name: 'Purchase',
      type: 'PURCHASE',
      status: 'UNVERIFIED',
      last_tracked_at: null,
      click_window: 30,
      view_through_window: 1,
      retargeting_enabled: false,
      website_tag_id: D.pixelId,
      deleted: false,
      created_at: new Date(T0).toISOString(),
      updated_at: new Date(T0).toISOString(),
    });
  });

  it('turns a tag TRACKING once a conversion for it was accepted, with last_tracked_at', async () => {
    const emu = createEmulator({ now: () => T0 });
    emu.clock.advance(3_600_000);
    await sendConversions(emu, [{ event_id: `tw-${D.pixelId}-${D.events.purchase.id}` }]);
    emu.clock.advance(60_000);
    await sendConversions(emu, [{ event_id: D.events.purchase.id, conversion_id: 'order-2' }]);
    const res = await signedGet(emu, tagsPath);
    const byId = Object.fromEntries(res.body.data.map((t: { id: string }) => [t.id, t]));
    expect(byId[D.events.purchase.id]).toMatchObject({
      status: 'TRACKING',
      last_tracked_at: new Date(T0 + 3_660_000).toISOString(),
    });
    expect(byId[D.events.lead.id]).toMatchObject({ status: 'UNVERIFIED', last_tracked_at: null });
  });

  it('stays UNVERIFIED after a rejected conversion', async () => {
    const emu = createEmulator({ now: () => T0 });
    await expect(
      sendConversions(emu, [{ identifiers: [{ hashed_email: 'not-a-hash' }] }]),
    ).rejects.toThrow(/400/);
    const one = await signedGet(emu, `${tagsPath}/${D.events.purchase.id}`);
    expect(one.body.data.status).toBe('UNVERIFIED');
  });

  it('filters by web_event_tag_ids and shows deleted tags only with_deleted=true', async () => {
    const emu = createEmulator({
      now: () => T0,
      accounts: [
        {
          id: ACCOUNT,
          pixels: [
            {
              id: D.pixelId,
              events: [
                { id: 'aaa1', name: 'Buy', type: 'PURCHASE' },
                { id: 'aaa2', name: 'Old', deleted: true, clickWindow: 7, viewThroughWindow: 0 },
              ],
            },
          ],
        },
      ],
    });
    const ids = (r: { body: { data: { id: string }[] } }) => r.body.data.map((t) => t.id);
    expect(ids(await signedGet(emu, tagsPath))).toEqual(['aaa1']);
    expect(ids(await signedGet(emu, tagsPath, { with_deleted: 'true' }))).toEqual(['aaa1', 'aaa2']);
    const filtered = await signedGet(emu, tagsPath, {
      web_event_tag_ids: 'aaa2,zzzz',
      with_deleted: 'true',
    });
    expect(filtered.body.data).toEqual([
      expect.objectContaining({ id: 'aaa2', deleted: true, click_window: 7, type: 'CUSTOM' }),
    ]);
    const tooMany = Array.from({ length: 201 }, (_, i) => `t${i}`).join(',');
    const bad = await signedGet(emu, tagsPath, { web_event_tag_ids: tooMany });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ parameter: 'web_event_tag_ids' });
  });

  it("answers 404 in X's error shape for a tag the account does not have", async () => {
    const emu = createEmulator({ now: () => T0 });
    const res = await signedGet(emu, `${tagsPath}/nope1`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      errors: [
        {
          code: 'NOT_FOUND',
          message: `Web event tag nope1 not found in ad account ${ACCOUNT}`,
          parameter: 'web_event_tag_id',
        },
      ],
      request: { params: { account_id: ACCOUNT, web_event_tag_id: 'nope1' } },
    });
    const known = await signedGet(emu, `${tagsPath}/${D.events.lead.id}`);
    expect(known.body.data).toMatchObject({ id: D.events.lead.id, name: 'Lead', type: 'CUSTOM' });
  });

  it('refuses the X-Pixel-Token alone with 401, saying OAuth 1.0a is needed', async () => {
    const emu = createEmulator({ now: () => T0 });
    const res = await emu.app.request(`${BASE}${tagsPath}`, {
      headers: { 'x-pixel-token': D.pixelToken },
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { errors: { code: string; message: string }[] };
    expect(body.errors[0]?.code).toBe('UNAUTHORIZED_ACCESS');
    expect(body.errors[0]?.message).toMatch(/OAuth 1\.0a/);
  });

  it('answers 404 for an unknown account and 403 for an account the user has no role on', async () => {
    const emu = createEmulator({
      now: () => T0,
      accounts: [
        { id: ACCOUNT, pixels: [] },
        { id: 'acc2', pixels: [] },
      ],
    });
    const unknown = await signedGet(emu, '/12/accounts/nope/web_event_tags');
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0]).toMatchObject({ code: 'NOT_FOUND', parameter: 'account_id' });
    const denied = await signedGet(emu, '/12/accounts/acc2/web_event_tags');
    expect(denied.status).toBe(403);
    expect(denied.body.errors[0].code).toBe('UNAUTHORIZED_ACCESS');
  });
});
