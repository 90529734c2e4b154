/**
 * Writes a bulk-upload CSV of synthetic offline conversions, streamed with
 * backpressure so a million rows never sit in memory. Columns use the CLI's
 * documented header names.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { fakePerson, fakeTwclid } from './fake-people.ts';
import { seededRandom } from './seeded-random.ts';

export const CSV_HEADER = [
  'event_id',
  'conversion_id',
  'conversion_time',
  'twclid',
  'email',
  'phone',
  'value',
  'currency',
  'number_items',
] as const;

export interface CsvOptions {
  rows: number;
  seed?: number;
  /** Event ID for every row. Default `o87ne`. */
  eventId?: string;
  /** Conversion times fall in the `spreadMs` before `now`. */
  now?: number;
  spreadMs?: number;
}

/** One data row (no trailing newline). Values never contain commas or quotes. */
export function csvRow(
  i: number,
  random: ReturnType<typeof seededRandom>,
  options: CsvOptions,
): string {
  const person = fakePerson(random, i);
  const now = options.now ?? Date.now();
  const time = new Date(now - random.int(0, options.spreadMs ?? 6 * 86_400_000)).toISOString();
  const value = (random.int(100, 50_000) / 100).toFixed(2);
  return [
    options.eventId ?? 'o87ne',
    `order-${i}`,
    time,
    random.next() < 0.8 ? fakeTwclid(random) : '',
    person.email,
    person.phone,
    value,
    random.pick(['USD', 'EUR', 'GBP']),
    String(random.int(1, 5)),
  ].join(',');
}

/** Writes header + `rows` rows to `file`; resolves with the byte count. */
export async function writeConversionsCsv(file: string, options: CsvOptions): Promise<number> {
  const random = seededRandom(options.seed ?? 1);
  const out = createWriteStream(file);
  let bytes = 0;
  const write = async (text: string): Promise<void> => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`${CSV_HEADER.join(',')}\n`);
  // Join rows into ~64 KB chunks: one write per row would dominate the time.
  let chunk = '';
  for (let i = 1; i <= options.rows; i++) {
    chunk += `${csvRow(i, random, options)}\n`;
    if (chunk.length > 65_536) {
      await write(chunk);
      chunk = '';
    }
  }
  if (chunk) await write(chunk);
  out.end();
  await once(out, 'close');
  return bytes;
}
