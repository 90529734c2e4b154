/**
 * CLI start-up: the wall time of `twclid-kit --version` as users run it (the
 * compiled CLI, `node packages/cli/bin/twclid-kit.js`), against `node -e 0`
 * measured in the same run, and, for context, the same command from its
 * TypeScript sources through tsx (`node --import tsx packages/cli/src/bin.ts`),
 * the way the CLI ran before it was compiled. `--version` loads the whole
 * command tree (commander, csv-parse, the server's core) and exits, so the
 * time is what every invocation pays before it does any work.
 *
 *   npm run bench:cli-startup [-- --runs 30 --reuse-build]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runBench } from '../lib/bench-run.ts';
import { buildPackages } from '../lib/packages-build.ts';
import { CLI_BIN, CLI_DIR } from '../lib/paths.ts';
import { run, TSX_LOADER } from '../lib/processes.ts';
import { median, percentile } from '../lib/stats.ts';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '30' },
    'reuse-build': { type: 'boolean', default: false },
  },
});
const RUNS = Number(args.runs);
if (!Number.isInteger(RUNS) || RUNS < 5) throw new Error('--runs must be an integer ≥ 5');
/** Unmeasured runs of each variant first: the file cache and tsx's transform cache warm up. */
const WARMUP = 3;

const VERSION = (
  JSON.parse(readFileSync(path.join(CLI_DIR, 'package.json'), 'utf8')) as { version: string }
).version;

interface Variant {
  name: string;
  args: string[];
  /** What it must print, so a broken build is never timed as a fast one. */
  prints: string;
}

const BARE: Variant = { name: 'node -e 0', args: ['-e', '0'], prints: '' };
const COMPILED: Variant = {
  name: 'twclid-kit --version, compiled',
  args: [CLI_BIN, '--version'],
  prints: VERSION,
};
const THROUGH_TSX: Variant = {
  name: 'twclid-kit --version, sources through tsx',
  args: ['--import', TSX_LOADER, path.join(CLI_DIR, 'src', 'bin.ts'), '--version'],
  prints: VERSION,
};
const VARIANTS = [BARE, COMPILED, THROUGH_TSX];

async function once(variant: Variant): Promise<number> {
  const { stdout, ms } = await run(process.execPath, variant.args, {
    cwd: CLI_DIR,
    // Nothing preloaded into the measured processes.
    env: { NODE_OPTIONS: undefined },
    timeoutMs: 60_000,
  });
  if (stdout.trim() !== variant.prints) {
    throw new Error(`${variant.name} printed ${JSON.stringify(stdout)}, not ${variant.prints}`);
  }
  return ms;
}

await runBench(
  {
    id: 'cli-startup',
    title: 'CLI start-up',
    command: 'npm run bench:cli-startup',
    parameters: { runs: RUNS, warmup: WARMUP },
  },
  async () => {
    await buildPackages(args['reuse-build']);
    const samples = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
    for (let round = 0; round < WARMUP + RUNS; round++) {
      // Interleaved, in a rotating order, so drift in the machine's load hits every variant alike.
      for (let i = 0; i < VARIANTS.length; i++) {
        const variant = VARIANTS[(round + i) % VARIANTS.length] as Variant;
        const ms = await once(variant);
        if (round >= WARMUP) samples.get(variant)?.push(ms);
      }
    }
    const med = (v: Variant): number => median(samples.get(v) ?? []);
    const p95 = (v: Variant): number => percentile(samples.get(v) ?? [], 95);
    const bare = med(BARE);
    const compiled = med(COMPILED);
    const tsx = med(THROUGH_TSX);
    console.log(
      `  medians of ${RUNS}: node -e 0 ${bare.toFixed(1)} ms, compiled ${compiled.toFixed(1)} ms (${(compiled / bare).toFixed(2)}×), through tsx ${tsx.toFixed(1)} ms (${(tsx / compiled).toFixed(2)}× the compiled CLI)`,
    );
    return {
      figures: [
        { name: 'node -e 0 (median)', value: bare, unit: 'ms' },
        {
          name: 'twclid-kit --version, compiled (median)',
          value: compiled,
          unit: 'ms',
          baseline: { name: 'node -e 0', value: bare },
        },
        {
          name: 'twclid-kit --version, compiled (p95)',
          value: p95(COMPILED),
          unit: 'ms',
          baseline: { name: 'node -e 0', value: p95(BARE) },
        },
        {
          name: 'twclid-kit --version, sources through tsx (median)',
          value: tsx,
          unit: 'ms',
          baseline: { name: 'compiled', value: compiled },
        },
        {
          name: 'compiled CLI: own start-up beyond node -e 0 (difference of medians)',
          value: compiled - bare,
          unit: 'ms',
        },
        {
          name: 'saved by running compiled instead of through tsx (difference of medians)',
          value: tsx - compiled,
          unit: 'ms',
        },
      ],
      notes: [
        `Wall time of the whole process (spawn to exit) from this benchmark's Node, ${RUNS} runs of each variant after ${WARMUP} unmeasured ones, interleaved in a rotating order; the compiled CLI is \`node packages/cli/bin/twclid-kit.js --version\` after \`npm run build\`.`,
        'The tsx variant runs the CLI’s own sources through tsx, but the packages it imports (@twclid-kit/server, which also holds the core) resolve to their compiled dist/ through their exports maps; before the packages were compiled, those went through tsx too, so the old start-up was at least this slow.',
        'product.md sets no goal for CLI start-up; the ratio against `node -e 0` shows what the command costs on top of starting Node.',
      ],
    };
  },
);
