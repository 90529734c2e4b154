/**
 * Bulk upload dry run: `twclid-kit upload <file> --dry-run` (read, normalize,
 * hash and validate every row; send nothing) on a generated CSV of synthetic
 * conversions (default 1,000,000 rows, written to a temp dir and deleted).
 * Figures: rows/s and peak memory (max RSS of the CLI process), against a
 * baseline that only streams the same file through csv-parse.
 *
 *   npm run bench:upload [-- --rows 1000000]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runBench } from '../lib/bench-run.ts';
import { writeConversionsCsv } from '../lib/csv-generator.ts';
import { CLI_BIN } from '../lib/paths.ts';
import { run, TSX_LOADER } from '../lib/processes.ts';
import { BENCH_DIR } from '../lib/results.ts';

const { values: args } = parseArgs({ options: { rows: { type: 'string', default: '1000000' } } });
const ROWS = Number(args.rows);
if (!Number.isInteger(ROWS) || ROWS < 1) throw new Error('--rows must be a positive integer');

const PRELOAD = path.join(BENCH_DIR, 'lib/report-peak-rss.mjs');

/** Runs a Node program with the peak-RSS preload; returns its stdout, wall time and peak RSS. */
async function measured(
  nodeArgs: string[],
  dir: string,
  env: Record<string, string> = {},
): Promise<{ stdout: string; seconds: number; peakBytes: number }> {
  const rssFile = path.join(dir, `rss-${Date.now()}.txt`);
  const { stdout, ms } = await run(process.execPath, nodeArgs, {
    cwd: dir,
    timeoutMs: 60 * 60_000,
    env: {
      ...env,
      NODE_OPTIONS: `--import ${PRELOAD}`,
      TWCLID_BENCH_RSS_FILE: rssFile,
    },
  });
  return { stdout, seconds: ms / 1000, peakBytes: Number(readFileSync(rssFile, 'utf8')) };
}

await runBench(
  {
    id: 'upload',
    title: 'Bulk upload dry run',
    command: 'npm run bench:upload',
    parameters: { rows: ROWS },
  },
  async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'twclid-bench-upload-'));
    try {
      const file = path.join(dir, 'conversions.csv');
      const bytes = await writeConversionsCsv(file, { rows: ROWS, seed: 41 });
      console.log(
        `  generated ${ROWS.toLocaleString('en-US')} rows (${(bytes / 2 ** 20).toFixed(0)} MiB)`,
      );

      const baseline = await measured(
        ['--import', TSX_LOADER, path.join(BENCH_DIR, 'baselines/csv-count.ts'), file],
        dir,
      );
      const counted = (JSON.parse(baseline.stdout) as { rows: number }).rows;
      if (counted !== ROWS) throw new Error(`baseline counted ${counted} rows, expected ${ROWS}`);

      const cli = await measured(
        [
          CLI_BIN,
          'upload',
          file,
          '--dry-run',
          '--default-country',
          'US',
          '--no-progress',
          '--json',
        ],
        dir,
        // A dry run sends nothing; the configuration must still be complete.
        { X_PIXEL_ID: 'o8z6j', X_PIXEL_TOKEN: 'bench-dry-run-token' },
      );
      const summary = JSON.parse(cli.stdout) as { rows: number; valid: number; rejected: number };
      if (summary.rows !== ROWS || summary.valid !== ROWS || summary.rejected !== 0) {
        throw new Error(`unexpected summary: ${cli.stdout}`);
      }
      const mib = (b: number): number => b / 2 ** 20;
      return {
        figures: [
          {
            name: 'rows/s (normalize, hash, validate)',
            value: ROWS / cli.seconds,
            unit: 'rows/s',
            baseline: { name: 'csv-parse only', value: ROWS / baseline.seconds },
          },
          {
            name: 'wall time',
            value: cli.seconds,
            unit: 's',
            baseline: { name: 'csv-parse only', value: baseline.seconds },
          },
          {
            name: 'peak memory (max RSS)',
            value: mib(cli.peakBytes),
            unit: 'MiB',
            baseline: { name: 'csv-parse only', value: mib(baseline.peakBytes) },
          },
          { name: 'input file', value: mib(bytes), unit: 'MiB' },
        ],
        notes: [
          `\`twclid-kit upload conversions.csv --dry-run --default-country US --no-progress --json\` on ${ROWS.toLocaleString('en-US')} generated rows (event_id, conversion_id, conversion_time, twclid for 80%, email, phone in mixed formats, value, currency, number_items); every row valid. Wall time includes Node start-up for both; the CLI runs compiled (\`node packages/cli/bin/twclid-kit.js\`, after \`npm run build\`), the csv-parse baseline is a TypeScript file run through tsx, so only the baseline's time includes tsx's start-up.`,
          'Peak memory is the process’s max RSS (getrusage) written by a preloaded module on exit. product.md sets no goal for bulk upload; the figure shows the stream stays bounded (compare with the input size).',
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
