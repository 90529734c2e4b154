/**
 * `npm run bench`: every benchmark in turn, each in its own process (so one
 * cannot warm or load the next), then `bench/RESULTS.md` re-rendered from the
 * saved results. Arguments after `--` select benchmarks by name; `--with-reliability`
 * also runs the full reliability suite (whose verdicts fill three goal rows).
 *
 *   npm run bench
 *   npm run bench -- ingest delivery
 *   npm run bench -- --with-reliability
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RESULTS_MD, writeResultsMarkdown } from './lib/bench-run.ts';
import { TSX_LOADER } from './lib/processes.ts';
import { BENCH_DIR } from './lib/results.ts';

const BENCHMARKS = {
  size: 'benchmarks/browser-size.ts',
  load: 'benchmarks/browser-load.ts',
  ingest: 'benchmarks/ingest.ts',
  delivery: 'benchmarks/delivery.ts',
  upload: 'benchmarks/upload.ts',
  'cli-startup': 'benchmarks/cli-startup.ts',
  'install-size': 'benchmarks/install-size.ts',
} as const;
type Name = keyof typeof BENCHMARKS;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'with-reliability': { type: 'boolean', default: false } },
});
for (const p of positionals) {
  if (!(p in BENCHMARKS)) {
    console.error(`unknown benchmark ${p}; choose from ${Object.keys(BENCHMARKS).join(', ')}`);
    process.exit(2);
  }
}
const chosen = (positionals.length > 0 ? positionals : Object.keys(BENCHMARKS)) as Name[];

function runChild(file: string, args: string[] = []): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', TSX_LOADER, path.join(BENCH_DIR, file), ...args],
      {
        stdio: 'inherit',
      },
    );
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    process.once('SIGINT', forward);
    process.once('SIGTERM', forward);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

const failed: string[] = [];
for (const name of chosen) {
  // The first benchmark builds the browser script; the next ones reuse that build.
  const reuse = name === 'load' && chosen.includes('size') ? ['--reuse-build'] : [];
  if ((await runChild(BENCHMARKS[name], reuse)) !== 0) failed.push(name);
}
if (values['with-reliability'] && (await runChild('reliability/reliability.ts')) !== 0) {
  failed.push('reliability');
}
writeResultsMarkdown();
console.log(`\nresults: ${path.relative(process.cwd(), RESULTS_MD)}`);
if (failed.length > 0) {
  console.error(`did not complete: ${failed.join(', ')}`);
  process.exitCode = 1;
}
