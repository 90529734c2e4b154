import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectFormat, isUnreadable, openRows, type SourceRow } from './row-reader.ts';

const dir = mkdtempSync(join(tmpdir(), 'twclid-rows-'));
let n = 0;
function file(content: string, ext = 'csv'): string {
  const path = join(dir, `f${n++}.${ext}`);
  writeFileSync(path, content);
  return path;
}

async function collect(path: string, format: 'csv' | 'jsonl'): Promise<SourceRow[]> {
  const rows: SourceRow[] = [];
  for await (const row of openRows(path, { format }).rows()) rows.push(row);
  return rows;
}

// Cells with commas, quotes and line breaks: what CSV quoting exists for.
const cell = fc.stringMatching(/^[a-z0-9 ,"\n@.+-]{0,12}$/);

describe('CSV rows', () => {
  it('reads back what a CSV writer wrote, with the line each row starts on', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(cell, cell, cell).filter((r) => r.some((c) => c.trim() !== '')),
          {
            maxLength: 15,
          },
        ),
        async (records) => {
          const text = stringify([['email', 'twclid', 'order_id'], ...records]);
          const rows = await collect(file(text), 'csv');
          expect(rows.map((r) => r.original)).toEqual(records);
          // Line numbers: 1 + the line breaks before the row's first character.
          let line = 2;
          rows.forEach((row, i) => {
            expect(row.line).toBe(line);
            const breaks = (records[i] ?? []).join('').split('\n').length - 1;
            line += 1 + breaks;
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('maps headers to fields, skips blank rows, flags rows of the wrong width', async () => {
    const rows = await collect(
      file('\uFEFFEmail Address,Click ID,Notes\r\na@b.c,x1,n\r\n\r\n,,\r\nb@c.d\r\n'),
      'csv',
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ line: 2, fields: { email: 'a@b.c', twclid: 'x1' } });
    expect(rows[1]?.line).toBe(5);
    expect(isUnreadable(rows[1]?.fields as SourceRow['fields'])).toBe(true);
  });

  it('tracks bytes for progress', async () => {
    const text = 'email\na@b.c\n';
    const rows = await collect(file(text), 'csv');
    expect(rows.at(-1)?.bytes).toBe(Buffer.byteLength(text));
  });

  it('an empty file is a usage error', async () => {
    await expect(collect(file(''), 'csv')).rejects.toThrow('is empty (no header row)');
  });
});

describe('JSON Lines rows', () => {
  it('reads objects, reports bad lines, keeps line numbers', async () => {
    const rows = await collect(
      file('{"email":"a@b.c","x":1}\n\n[1]\nnot json\r\n{"click_id":"c"}', 'jsonl'),
      'jsonl',
    );
    expect(rows.map((r) => r.line)).toEqual([1, 3, 4, 5]);
    expect(rows[0]?.fields).toEqual({ email: 'a@b.c' });
    expect(rows[1]?.fields).toEqual({ error: 'is not a JSON object' });
    expect(rows[2]?.fields).toEqual({ error: 'is not valid JSON' });
    expect(rows[3]?.fields).toEqual({ twclid: 'c' });
  });

  it('any JSON object per line round-trips its known keys', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ email: fc.string(), order_id: fc.string() }), {
          maxLength: 10,
        }),
        async (objects) => {
          const text = objects.map((o) => JSON.stringify(o)).join('\n');
          const rows = await collect(file(text, 'jsonl'), 'jsonl');
          expect(rows.map((r) => r.fields)).toEqual(
            objects.map((o) => ({
              ...(o.email.trim() !== '' ? { email: o.email } : {}),
              ...(o.order_id.trim() !== '' ? { conversion_id: o.order_id } : {}),
            })),
          );
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('detectFormat', () => {
  it('uses the extension unless told', () => {
    expect(detectFormat('a.csv')).toBe('csv');
    expect(detectFormat('a.JSONL')).toBe('jsonl');
    expect(detectFormat('a.ndjson')).toBe('jsonl');
    expect(detectFormat('a.txt')).toBe('csv');
    expect(detectFormat('a.txt', 'jsonl')).toBe('jsonl');
    expect(() => detectFormat('a.txt', 'xml')).toThrow('--format must be csv or jsonl');
  });
});
