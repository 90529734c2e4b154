import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { isValidPhoneNumber, parsePhoneNumberWithError } from 'libphonenumber-js';
import { afterAll, describe, expect, it } from 'vitest';
import { CSV_HEADER, writeConversionsCsv } from './csv-generator.ts';
import { fakePerson } from './fake-people.ts';
import { seededRandom } from './seeded-random.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'twclid-bench-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeConversionsCsv', () => {
  it('writes the header and exactly the requested rows, each with a unique conversion_id', async () => {
    const file = path.join(dir, 'small.csv');
    const bytes = await writeConversionsCsv(file, { rows: 2500, seed: 7 });
    const text = readFileSync(file, 'utf8');
    expect(Buffer.byteLength(text)).toBe(bytes);
    const records = parse(text, { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(2500);
    expect(Object.keys(records[0] ?? {})).toEqual([...CSV_HEADER]);
    expect(new Set(records.map((r) => r.conversion_id)).size).toBe(2500);
    for (const r of records.slice(0, 50)) {
      expect(new Date(r.conversion_time as string).toISOString()).toBe(r.conversion_time);
    }
  });

  it('is deterministic for a seed', async () => {
    const a = path.join(dir, 'a.csv');
    const b = path.join(dir, 'b.csv');
    await writeConversionsCsv(a, { rows: 100, seed: 3, now: 1_800_000_000_000 });
    await writeConversionsCsv(b, { rows: 100, seed: 3, now: 1_800_000_000_000 });
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
  });
});

describe('fakePerson', () => {
  it('always makes a valid US phone whose E.164 form libphonenumber agrees with', () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat(), (seed, n) => {
        const person = fakePerson(seededRandom(seed), n);
        expect(isValidPhoneNumber(person.phone, 'US')).toBe(true);
        expect(parsePhoneNumberWithError(person.phone, 'US').number).toBe(person.phoneE164);
      }),
    );
  });
});
