/**
 * The bulk-upload baseline: stream a CSV through csv-parse (the parser the CLI
 * uses) with header columns and count the records; no validation, no hashing.
 * Prints `{"rows":N}`.
 *
 *   node --import tsx bench/baselines/csv-count.ts <file.csv>
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';

const file = process.argv[2];
if (!file) {
  console.error('usage: csv-count.ts <file.csv>');
  process.exit(2);
}
let rows = 0;
const parser = createReadStream(file).pipe(parse({ columns: true }));
for await (const _record of parser) rows++;
console.log(JSON.stringify({ rows }));
