/**
 * `twclid-kit tags`, `report` and `doctor` against the emulator over real HTTP,
 * after the kit delivered the demo's three flows (form, /events, sendConversion)
 * into a SQLite outbox: a Los Angeles account with conversions on both sides
 * of its midnight, a tag that does not exist, jobs that take several polls
 * behind a one-job limit, TOO_MANY_JOBS while another job holds the slot, a
 * user without a stats role and a pixel token only. Figures are checked
 * against what the emulator says it attributed (`/_emulator/attributed`).
 */
import { join } from 'node:path';
import { EMULATOR_DEFAULTS, type EmulatorHandle, startEmulator } from '@twclid-kit/emulator';
import { silentLogger, twclidKit } from '@twclid-kit/server';
import { startOfZonedDay, zonedDay } from '@twclid-kit/server/analytics';
import { signedFetch } from '@twclid-kit/server/core';
import { sqliteOutbox } from '@twclid-kit/server/sqlite';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorEnv, runCli, startCli, tempDir } from './run-cli.ts';

const d = EMULATOR_DEFAULTS;
const TZ = 'America/Los_Angeles';
const SITE = 'http://shop.test';
const CREATIVE = { id: '2000000003', token: 'creative-token', secret: 'creative-token-secret' };
const AUTH = {
  kind: 'oauth1' as const,
  consumerKey: d.consumerKey,
  consumerSecret: d.consumerSecret,
  accessToken: d.accessToken,
  accessTokenSecret: d.accessTokenSecret,
};
// 25 campaigns: two stats jobs (20 + 5) per placement.
const CAMPAIGNS = Array.from({ length: 25 }, (_, i) => ({ id: `c${String(i).padStart(3, '0')}` }));

let x: EmulatorHandle;
let db: string;
const now = Date.now();
const midnight = startOfZonedDay(zonedDay(now, TZ), TZ);
const beforeMidnight = midnight - 30 * 60_000;
const afterMidnight = midnight + Math.floor((now - midnight) / 2);

interface Attributed {
  tagId: string;
  date: string;
  post_engagement: number;
  post_view: number;
  total: number;
}

async function deliverThreeFlows(): Promise<void> {
  const kit = twclidKit({
    pixelId: d.pixelId,
    auth: AUTH,
    baseUrl: x.url,
    version: d.apiVersion,
    adAccountId: d.accountId,
    events: ['o87ne', 'o87nf', 'o87ng'],
    store: sqliteOutbox({ path: db }),
    flushIntervalMs: 20,
    logger: silentLogger,
    ipRateLimit: false,
  });
  const app = new Hono();
  app.route('/tw', kit);
  app.post('/checkout', kit.form({ eventId: 'o87ne' }), (c) => c.redirect('/thank-you', 303));
  app.post('/api/club/join', async (c) => {
    const body = (await c.req.json()) as { email: string; conversion_id: string; at: number };
    await kit.sendConversion(c, {
      eventId: 'o87ng',
      conversionId: body.conversion_id,
      email: body.email,
      conversionTime: body.at,
      value: '12.00',
      currency: 'USD',
    });
    return c.json({ ok: true });
  });
  const headers = { origin: SITE, 'user-agent': 'Mozilla/5.0 test' };
  // Flow A: the purchase form.
  const formBody = new URLSearchParams({
    email: 'ada@example.com',
    twclid: '23opevjt88psuo13lu8d020qkn',
    conversion_id: 'a0000000-0000-4000-8000-000000000001',
  }).toString();
  const a = await app.request(`${SITE}/checkout`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    body: formBody,
  });
  expect(a.status).toBe(303);
  // Flow B: track() posts to /events.
  const b = await app.request(`${SITE}/tw/events`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({
      event_id: 'o87nf',
      conversion_id: 'b0000000-0000-4000-8000-000000000001',
      email: 'bob@example.com',
      twclid: '23opevjt88psuo13lu8d020qkn',
    }),
  });
  expect(b.status).toBe(202);
  // Flow C: two paid memberships, 30 minutes before and some time after midnight in Los Angeles.
  for (const [i, at] of [beforeMidnight, afterMidnight].entries()) {
    const c = await app.request(`${SITE}/api/club/join`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `c${i}@example.com`,
        conversion_id: `c000000${i}-0000-4000-8000-000000000001`,
        at,
      }),
    });
    expect(c.status).toBe(200);
  }
  await kit.flush();
  expect((await kit.stats()).delivered).toBe(4);
  await kit.shutdown({ timeoutMs: 5_000 });
}

beforeAll(async () => {
  db = join(tempDir(), 'outbox.db');
  x = await startEmulator({
    port: 0,
    accounts: [
      {
        id: d.accountId,
        timezone: TZ,
        campaigns: CAMPAIGNS,
        pixels: [
          {
            id: d.pixelId,
            events: [
              { id: 'o87ne', name: 'Purchase', type: 'PURCHASE' },
              { id: 'o87nf', name: 'Lead', type: 'CUSTOM' },
              { id: 'o87ng', name: 'Sign up', type: 'SIGN_UP' },
            ],
          },
        ],
      },
    ],
    users: [
      { id: d.userId, screenName: d.screenName, access: { [d.accountId]: ['ACCOUNT_ADMIN'] } },
      { id: CREATIVE.id, screenName: 'creative', access: { [d.accountId]: ['CREATIVE_MANAGER'] } },
    ],
    tokens: [
      { token: d.accessToken, secret: d.accessTokenSecret, userId: d.userId },
      { token: CREATIVE.token, secret: CREATIVE.secret, userId: CREATIVE.id },
    ],
    pixelTokens: [{ token: d.pixelToken, pixelId: d.pixelId }],
    analytics: { maxProcessingJobs: 1, attributionShare: 1, postViewShare: 0.5 },
  });
  await deliverThreeFlows();
}, 60_000);
afterAll(async () => {
  await x?.close();
});

const env = (extra: Record<string, string> = {}) =>
  emulatorEnv(x.url, { TWCLID_KIT_DB: db, ...extra });

describe('tags', { timeout: 60_000 }, () => {
  it("shows each tag's status at X next to the kit's deliveries, and a tag that does not exist", async () => {
    const run = await runCli(['tags', '--event', 'zzzzz', '--json'], { env: env() });
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as {
      tags: {
        id: string;
        found: boolean;
        delivered: number;
        tag?: { status: string; lastTrackedAt: string | null; type: string };
        flags: string[];
      }[];
    };
    const byId = new Map(result.tags.map((t) => [t.id, t]));
    expect([...byId.keys()]).toEqual(['o87ne', 'o87nf', 'o87ng', 'zzzzz']);
    expect(byId.get('o87ne')).toMatchObject({
      found: true,
      delivered: 1,
      tag: { status: 'TRACKING', type: 'PURCHASE' },
    });
    expect(byId.get('o87nf')).toMatchObject({
      found: true,
      delivered: 1,
      tag: { status: 'TRACKING' },
    });
    expect(byId.get('o87ng')?.delivered).toBe(2);
    expect(byId.get('o87ng')?.tag?.lastTrackedAt).not.toBeNull();
    expect(byId.get('zzzzz')).toMatchObject({ found: false, delivered: 0 });
    expect(byId.get('zzzzz')?.flags[0]).toContain('does not know');
    expect(run.code).toBe(1); // a flagged tag is a reported failure
  });

  it('prints a table for people', async () => {
    const run = await runCli(['tags'], { env: env() });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^o87ne\s+Purchase\s+PURCHASE\s+TRACKING\s/m);
  });

  it('says a pixel token cannot read tags, and how to get OAuth credentials (exit 1)', async () => {
    const e = env({ X_PIXEL_TOKEN: d.pixelToken });
    for (const name of [
      'X_CONSUMER_KEY',
      'X_CONSUMER_SECRET',
      'X_ACCESS_TOKEN',
      'X_ACCESS_TOKEN_SECRET',
    ])
      delete e[name];
    const run = await runCli(['tags'], { env: e });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('OAuth 1.0a Ads API credentials with Standard access');
    expect(run.stderr).toContain('twclid-kit oauth login');
  });
});

describe('report', { timeout: 120_000 }, () => {
  it('--days 7 matches what X attributed, per tag and Los Angeles day, through TOO_MANY_JOBS and multi-poll jobs', async () => {
    // Another tool's job holds the account's only job slot.
    const jobsUrl = `${x.url}/12/stats/jobs/accounts/${d.accountId}`;
    const params = new URLSearchParams({
      entity: 'CAMPAIGN',
      entity_ids: 'c000',
      start_time: new Date(midnight).toISOString().replace('.000Z', 'Z'),
      end_time: new Date(midnight + 86_400_000).toISOString().replace('.000Z', 'Z'),
      granularity: 'DAY',
      metric_groups: 'WEB_CONVERSION',
      placement: 'ALL_ON_TWITTER',
    });
    const blocker = await signedFetch('POST', `${jobsUrl}?${params}`, AUTH);
    expect(blocker.status).toBe(200);
    const blockerId = ((await blocker.json()) as { data: { id_str: string } }).data.id_str;

    const { done, child } = startCli(['report', '--days', '7', '--json', '--poll-interval', '50'], {
      env: env(),
    });
    child.stdin?.end();
    let stderr = '';
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
    });
    const deadline = Date.now() + 30_000;
    while (!stderr.includes('TOO_MANY_JOBS') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(stderr).toContain('waiting for a free job slot (TOO_MANY_JOBS)');
    // The other tool polls its job to SUCCESS, which frees the slot.
    for (let i = 0; i < 2; i++) await signedFetch('GET', `${jobsUrl}?job_ids=${blockerId}`, AUTH);
    const run = await done;
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('stats jobs: 2/2 done');

    const report = JSON.parse(run.stdout) as {
      account: { timezone: string };
      days: string[];
      requests: number;
      rows: {
        key: string;
        day: string;
        delivered: number;
        postEngagement: number;
        postView: number;
        attributed: number;
        provisional: boolean;
      }[];
      notes: string[];
    };
    expect(report.account.timezone).toBe(TZ);
    expect(report.requests).toBe(2);
    expect(report.days).toHaveLength(7);
    const today = zonedDay(now, TZ);
    const yesterday = zonedDay(beforeMidnight, TZ);
    const cell = (key: string, day: string) =>
      report.rows.find((r) => r.key === key && r.day === day);
    expect(cell('o87ng', yesterday)?.delivered).toBe(1);
    expect(cell('o87ng', today)?.delivered).toBe(1);
    expect(cell('o87ne', today)?.delivered).toBe(1);
    expect(cell('o87nf', today)?.delivered).toBe(1);
    expect(cell('o87ng', today)?.provisional).toBe(true);

    const truth = (
      (await (await fetch(`${x.url}/_emulator/attributed`)).json()) as { days: Attributed[] }
    ).days;
    expect(truth.reduce((n, t) => n + t.total, 0)).toBe(4); // attributionShare 1: every counted conversion
    for (const row of report.rows) {
      const t = truth.find((a) => a.tagId === row.key && a.date === row.day);
      expect([row.key, row.day, row.postEngagement, row.postView, row.attributed]).toEqual([
        row.key,
        row.day,
        t?.post_engagement ?? 0,
        t?.post_view ?? 0,
        t?.total ?? 0,
      ]);
    }
    expect(report.notes.join(' ')).toContain('Fewer attributed than delivered is normal');
  });

  it('prints a table and CSV', async () => {
    const table = await runCli(['report', '--days', '2', '--poll-interval', '20'], { env: env() });
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`(${TZ})`);
    expect(table.stdout).toMatch(/^o87ng\s+Sign up\s+\d{4}-\d\d-\d\d\*?\s+1\s/m);
    expect(table.stdout).toContain('Fewer attributed than delivered is normal');
    const csv = await runCli(['report', '--days', '2', '--csv', '--poll-interval', '20'], {
      env: env(),
    });
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\n')[0]).toBe(
      'tag,name,day,provisional,delivered,post_engagement,post_view,attributed,ratio',
    );
  });

  it('--quick reads the synchronous endpoint by conversion type', async () => {
    const run = await runCli(['report', '--quick', '--days', '2', '--json'], { env: env() });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      mode: string;
      rows: { key: string; day: string; delivered: number; attributed: number }[];
    };
    expect(report.mode).toBe('quick');
    const today = zonedDay(now, TZ);
    const purchases = report.rows.find((r) => r.key === 'conversion_purchases' && r.day === today);
    expect(purchases).toMatchObject({ delivered: 1, attributed: 1 });
  });

  it('names the missing stats role (exit 1)', async () => {
    const run = await runCli(['report', '--days', '7'], {
      env: env({ X_ACCESS_TOKEN: CREATIVE.token, X_ACCESS_TOKEN_SECRET: CREATIVE.secret }),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('UNAUTHORIZED_ACCESS');
    expect(run.stderr).toContain('CAMPAIGN_ANALYST');
  });
});

describe('doctor', { timeout: 60_000 }, () => {
  it('passes with only the required settings (no X_AD_ACCOUNT_ID): those checks are skipped', async () => {
    const e = emulatorEnv(x.url);
    delete e.X_AD_ACCOUNT_ID;
    const run = await runCli(['doctor', '--json'], { env: e });
    const report = JSON.parse(run.stdout) as {
      ok: boolean;
      checks: { name: string; status: string }[];
    };
    expect(run.code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.checks.filter((c) => c.status === 'skip').map((c) => c.name)).toEqual([
      'credentials',
      'access level',
      'tags',
    ]);
  });

  it('lists the tags of the outbox as checks', async () => {
    const run = await runCli(['doctor', '--json', '--event', 'zzzzz'], { env: env() });
    const report = JSON.parse(run.stdout) as {
      checks: { name: string; status: string; detail: string }[];
    };
    expect(run.code).toBe(0); // a tag problem is a warning
    const tag = (id: string) => report.checks.find((c) => c.name === `tag ${id}`);
    expect(tag('o87ne')?.status).toBe('ok');
    expect(tag('o87ne')?.detail).toContain('TRACKING');
    expect(tag('zzzzz')?.status).toBe('warn');
  });
});
