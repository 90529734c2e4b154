/**
 * `twclid-kit upload` end to end: the real bin as a child process against the
 * emulator over real HTTP.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type EmulatorHandle, startEmulator } from '@twclid-kit/emulator';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emulatorEnv, runCli, tempDir } from './run-cli.ts';

let x: EmulatorHandle;
beforeAll(async () => {
  x = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await x.close();
});
beforeEach(() => {
  x.state.reset();
});

// docs/x-api.md §1 test vectors (SHA-256 of the normalized value; X's CAPI reference [REF12]).
const TEST_TWITTER_SHA256 = 'd360d510a224510f373931ce2d6215a799f5a9c1cef221b0149b6b6b50cced62';
// The vector's +11234567890 is not a valid number, which the kit refuses to hash; a real one:
const PHONE_SHA256 = createHash('sha256').update('+14155552671').digest('hex');

// Conversion times the CLI takes on the real clock it runs on: inside the
// 90-day window behind now (docs/product.md, "Wire contract"), at 10:00 UTC.
const DAY_MS = 86_400_000;
const daysAgoAt10 = (days: number) =>
  new Date(Math.floor(Date.now() / DAY_MS - days) * DAY_MS + 10 * 3_600_000);
/** Two days ago, 10:00 UTC, as a CSV writes it. */
const RECENT = daysAgoAt10(2).toISOString().replace('.000Z', 'Z');
/** Three days ago, 10:00 UTC: the time of the rows without an order ID. */
const EARLIER = daysAgoAt10(3);

const MIXED_CSV = [
  'Email Address,Phone Number,Click ID,Timestamp,Order ID,Value,Currency,Notes',
  ` Test@Twitter.com ,+1 (415) 555-2671,23opevjt88psuo13lu8d020qkn,${RECENT},A-1,20.00,USD,good`,
  `ann@example.com,,,${daysAgoAt10(2).toISOString()},A-2,5,USD,good`,
  `,,,${RECENT},A-3,5,USD,no identifier`,
  'secret.person@example.com,,,yesterday,A-4,5,USD,bad time',
  `bob@example.com,not-a-phone-555,,${RECENT},A-5,5,USD,bad phone`,
  `carl@example.com,,,${EARLIER.getTime() / 1000},,7.5,EUR,good (unix seconds; no order id)`,
  `dora@example.com,,,${RECENT},A-7,1,XXX,bad currency`,
  '"multi',
  `line@example.com",,,${RECENT},A-8,1,USD,bad email spanning lines`,
  `erin@example.com,,,${RECENT},A-9`,
  '',
].join('\n');

describe('upload --dry-run', { timeout: 60_000 }, () => {
  it('validates every row, writes the reject file with line numbers and sends nothing', async () => {
    const dir = tempDir();
    const file = join(dir, 'orders.csv');
    writeFileSync(file, MIXED_CSV);
    const run = await runCli(['upload', file, '--event', 'o87ne', '--dry-run', '--json'], {
      env: emulatorEnv(x.url),
    });
    expect(run.stderr).toContain('ignored columns: Notes');
    expect(run.code).toBe(1); // rows were rejected
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ dryRun: true, rows: 9, valid: 3, rejected: 6, sent: 0 });
    expect(x.state.stats().requests.capi).toBe(0);
    expect(existsSync(`${file}.twclid-state.json`)).toBe(false);

    const rejects = parse(readFileSync(`${file}.rejects.csv`, 'utf8'), {
      relax_column_count: true,
    }) as string[][];
    expect(rejects[0]).toEqual([
      'rejected_line',
      'reject_reason',
      'Email Address',
      'Phone Number',
      'Click ID',
      'Timestamp',
      'Order ID',
      'Value',
      'Currency',
      'Notes',
    ]);
    const byLine = new Map(rejects.slice(1).map((row) => [row[0], row]));
    expect([...byLine.keys()]).toEqual(['4', '5', '6', '8', '9', '11']);
    expect(byLine.get('4')?.[1]).toMatch(/^identifiers: /);
    expect(byLine.get('5')?.[1]).toMatch(/^conversion_time: /);
    expect(byLine.get('6')?.[1]).toMatch(/^phone: /);
    expect(byLine.get('8')?.[1]).toMatch(/^currency: /);
    expect(byLine.get('9')?.[1]).toMatch(/^email: /); // starts on line 9, spans 10
    expect(byLine.get('11')?.[1]).toBe('row has 5 fields, the header has 8');
    // The original row is kept for the human who fixes it…
    expect(byLine.get('5')?.[2]).toBe('secret.person@example.com');
    expect(byLine.get('6')?.[3]).toBe('not-a-phone-555');
    // …but no reason quotes a raw email or phone.
    for (const row of rejects.slice(1)) {
      expect(row[1]).not.toMatch(/@|not-a-phone|555/);
    }
    expect(statSync(`${file}.rejects.csv`).mode & 0o777).toBe(0o600);
  });

  it('exits 0 and leaves no reject file when every row is valid', async () => {
    const dir = tempDir();
    const file = join(dir, 'leads.jsonl');
    writeFileSync(
      file,
      `${JSON.stringify({ event: 'tw-o8z6j-o87nf', email_address: 'a@example.com', timestamp: RECENT })}\n\n`,
    );
    const run = await runCli(['upload', file, '--dry-run'], { env: emulatorEnv(x.url) });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('valid      1');
    expect(existsSync(`${file}.rejects.csv`)).toBe(false);
  });
});

describe('upload --x-budget', { timeout: 60_000 }, () => {
  const leads = () => {
    const file = join(tempDir(), 'leads.jsonl');
    writeFileSync(
      file,
      `${JSON.stringify({ event: 'tw-o8z6j-o87nf', email_address: 'a@example.com', timestamp: RECENT })}\n`,
    );
    return file;
  };

  it("checks --x-budget, X's event budget", async () => {
    const run = await runCli(['upload', leads(), '--dry-run', '--x-budget', '0'], {
      env: emulatorEnv(x.url),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--x-budget must be a positive integer');
  });

  it('still accepts --rate-limit, its deprecated hidden alias, with a warning', async () => {
    const env = emulatorEnv(x.url);
    const bad = await runCli(['upload', leads(), '--dry-run', '--rate-limit', '0'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--rate-limit must be a positive integer');
    const ok = await runCli(['upload', leads(), '--dry-run', '--rate-limit', '100'], { env });
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain('--rate-limit is deprecated; use --x-budget');
    const help = await runCli(['upload', '--help'], { env });
    expect(help.stdout).toContain('--x-budget');
    expect(help.stdout).not.toContain('--rate-limit');
  });
});

describe('upload', { timeout: 60_000 }, () => {
  it('sends good rows hashed exactly like the route, rejects bad ones, and prints debug_ids', async () => {
    const dir = tempDir();
    const file = join(dir, 'orders.csv');
    writeFileSync(file, MIXED_CSV);
    const run = await runCli(['upload', file, '--event', 'o87ne', '--json'], {
      env: emulatorEnv(x.url),
    });
    expect(run.code).toBe(1);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ rows: 9, sent: 3, rejected: 6, failed: 0, batches: 1 });
    expect(summary.debugIds).toHaveLength(1);
    const stats = x.state.stats();
    expect(stats.counted).toBe(3);
    const events = x.state.events({ channel: 'capi' });
    expect(events.map((e) => e.debugId)).toContain(summary.debugIds[0]);
    const first = events.find((e) => e.conversionId === 'A-1');
    expect(first?.hashedEmail).toBe(TEST_TWITTER_SHA256);
    expect(first?.hashedPhoneNumber).toBe(PHONE_SHA256);
    expect(first?.twclid).toBe('23opevjt88psuo13lu8d020qkn');
    // The row without an order ID got a derived, UUID-shaped conversion_id.
    const derived = events.find((e) => e.conversionTime === EARLIER.toISOString());
    expect(derived?.conversionId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );

    const state = JSON.parse(readFileSync(`${file}.twclid-state.json`, 'utf8'));
    expect(state).toMatchObject({
      complete: true,
      watermark: 11,
      totals: { sent: 3, rejected: 6 },
    });

    // A second run is refused without --resume/--restart (usage, exit 2)…
    const again = await runCli(['upload', file, '--event', 'o87ne'], { env: emulatorEnv(x.url) });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already uploaded');
    // …and --restart sends the same conversion_ids again, which X deduplicates.
    const restart = await runCli(['upload', file, '--event', 'o87ne', '--restart'], {
      env: emulatorEnv(x.url),
    });
    expect(restart.code).toBe(1);
    expect(x.state.stats()).toMatchObject({ counted: 3, deduplicated: 3 });
  });

  it('uploads JSON Lines with aliases and contents; bad lines keep their original text', async () => {
    const dir = tempDir();
    const file = join(dir, 'leads.jsonl');
    const lines = [
      JSON.stringify({
        event: 'o87nf',
        click_id: 'click-1',
        timestamp: EARLIER.getTime(),
        order_id: 'L-1',
        value: 12.5,
        currency: 'EUR',
        number_items: 2,
        contents: [{ content_id: 'sku-1', num_items: 2, content_price: 6.25 }],
      }),
      '{"event": "o87nf", "email": ',
      JSON.stringify({
        event: 'o87nf',
        email: 'x@example.com',
        timestamp: RECENT,
        number_items: 0,
      }),
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const run = await runCli(['upload', file, '--json'], { env: emulatorEnv(x.url) });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ rows: 3, sent: 1, rejected: 2 });
    const [event] = x.state.events({ channel: 'capi' });
    expect(event).toMatchObject({
      eventId: 'o87nf',
      conversionId: 'L-1',
      twclid: 'click-1',
      currency: 'EUR',
      numberItems: 2,
      conversionTime: EARLIER.toISOString(),
    });
    const rejects = parse(readFileSync(`${file}.rejects.csv`, 'utf8')) as string[][];
    expect(rejects[0]).toEqual(['rejected_line', 'reject_reason', 'row']);
    expect(rejects[1]).toEqual(['2', 'row is not valid JSON', lines[1]]);
    expect(rejects[2]?.[0]).toBe('3');
    expect(rejects[2]?.[1]).toMatch(/^number_items: /);
  });

  it('isolates a row X refuses (400) by splitting the batch, and delivers the rest', async () => {
    const dir = tempDir();
    const file = join(dir, 'mixed-events.csv');
    const rows = ['email,event_id,conversion_time,order_id'];
    for (let i = 1; i <= 40; i++) {
      // Row 17 names an event this pixel does not have: only X can tell.
      rows.push(`u${i}@example.com,${i === 17 ? 'zzzzz' : 'o87ne'},${RECENT},B-${i}`);
    }
    writeFileSync(file, `${rows.join('\n')}\n`);
    const emu = await startEmulator({ port: 0, unknownEventStatus: 400 });
    try {
      const run = await runCli(['upload', file, '--json'], { env: emulatorEnv(emu.url) });
      expect(run.code).toBe(1);
      const summary = JSON.parse(run.stdout);
      expect(summary).toMatchObject({ sent: 39, failed: 1, rejected: 0 });
      expect(emu.state.stats().counted).toBe(39);
      const rejects = parse(readFileSync(`${file}.rejects.csv`, 'utf8'), {
        relax_column_count: true,
      }) as string[][];
      expect(rejects).toHaveLength(2);
      expect(rejects[1]?.[0]).toBe('18'); // data row 17 is line 18
      expect(rejects[1]?.[1]).toMatch(/^X refused: HTTP 400/);
    } finally {
      await emu.close();
    }
  });

  it('stops with exit 1 and keeps the rows when X refuses the credentials', async () => {
    const dir = tempDir();
    const file = join(dir, 'orders.csv');
    writeFileSync(file, `email,conversion_time\na@example.com,${RECENT}\n`);
    const run = await runCli(['upload', file, '--event', 'o87ne'], {
      env: emulatorEnv(x.url, { X_ACCESS_TOKEN_SECRET: 'wrong' }),
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('stopped');
    expect(run.stdout).toContain('doctor');
    expect(run.stdout + run.stderr).not.toContain('wrong');
    const state = JSON.parse(readFileSync(`${file}.twclid-state.json`, 'utf8'));
    expect(state).toMatchObject({ complete: false, watermark: 0 });
    // Fixed credentials: --resume delivers the row.
    const resumed = await runCli(['upload', file, '--event', 'o87ne', '--resume'], {
      env: emulatorEnv(x.url),
    });
    expect(resumed.code).toBe(0);
    expect(x.state.stats().counted).toBe(1);
  });

  it('names the missing variable and exits 2 without configuration', async () => {
    const dir = tempDir();
    const file = join(dir, 'orders.csv');
    writeFileSync(file, `email,conversion_time\na@example.com,${RECENT}\n`);
    const env = emulatorEnv(x.url);
    delete env.X_PIXEL_ID;
    const run = await runCli(['upload', file, '--event', 'o87ne'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('X_PIXEL_ID');
    expect(run.stderr).toContain('--pixel-id');
  });
});
