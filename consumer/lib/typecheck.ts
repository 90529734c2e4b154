/** `tsc --noEmit -p <project>` with the app's own TypeScript. */
import type { ConsumerApp } from './app.ts';
import { describeRun, type RunResult } from './exec.ts';

export interface Typecheck {
  result: RunResult;
  /** The command and its whole output, for assertion messages. */
  report: string;
}

export async function typecheck(app: ConsumerApp, project: string): Promise<Typecheck> {
  const tsc = app.path('node_modules/.bin/tsc');
  const args = ['--noEmit', '-p', project, '--pretty', 'false'];
  const result = await app.run(tsc, args, { timeoutMs: 120_000 });
  return { result, report: describeRun(`tsc ${args.join(' ')} (in ${app.dir})`, result) };
}
