import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claimsLost } from './instance-chaos.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'twclid-claims-lost-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A kit log line as consoleLogger writes it (packages/server/src/logger.ts). */
const line = (msg: string, fields: Record<string, unknown> = {}) =>
  JSON.stringify({ time: '2026-11-30T07:00:00.000Z', level: 'warn', msg, ...fields });

describe('claimsLost', () => {
  it('counts the outbox.claim_lost warnings of every log and the events they name', () => {
    const a = path.join(dir, 'a.log');
    const b = path.join(dir, 'b.log');
    writeFileSync(
      a,
      [
        line('x.send', { events: 50 }),
        line('outbox.claim_lost', { action: 'delivered', events: 3 }),
        'listening on 3000',
      ].join('\n'),
    );
    // The last line cut by a SIGKILL still counts as a warning.
    writeFileSync(
      b,
      `${line('outbox.claim_lost', { action: 'reschedule', events: 2 })}\n{"level":"warn","msg":"outbox.claim_lost","ev`,
    );
    expect(claimsLost([a, b])).toEqual({ warnings: 3, events: 5 });
  });

  it('finds none in logs without the warning', () => {
    const c = path.join(dir, 'c.log');
    writeFileSync(
      c,
      `${line('x.send', { events: 10 })}\n${line('outbox.recovered', { events: 4 })}\n`,
    );
    expect(claimsLost([c])).toEqual({ warnings: 0, events: 0 });
  });
});
