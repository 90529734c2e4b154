/**
 * Entry of the `twclid-kit` command: runs the program and maps errors to the
 * documented exit codes (0 ok, 1 failures reported, 2 usage or configuration).
 */

import { isConfigError } from '@twclid-kit/server';
import { CommanderError } from 'commander';
import { CommandFailed, EXIT_FAILURES, EXIT_OK, EXIT_USAGE, UsageError } from './exit-codes.ts';
import { type CliIo, processIo } from './io.ts';
import { createProgram, type ProgramResult } from './program.ts';
import { flagFor } from './settings.ts';

/**
 * Runs the CLI with `argv` (without `node` and the script) and resolves to
 * the exit code.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const result: ProgramResult = { code: EXIT_OK };
  const program = createProgram(io, result);
  const fail = (message: string, hint?: string) => {
    io.stderr.write(`twclid-kit: ${message}\n${hint ? `  hint: ${hint}\n` : ''}`);
  };
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT_USAGE;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return result.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version "fail" with exit code 0; every parse error is usage.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (error instanceof UsageError) {
      fail(error.message, error.hint);
      return EXIT_USAGE;
    }
    if (isConfigError(error)) {
      const flag = flagFor(error.variable);
      fail(
        `configuration: ${error.message}`,
        `set ${error.variable}${flag ? ` or pass ${flag}` : ''} (twclid-kit doctor checks the whole setup)`,
      );
      return EXIT_USAGE;
    }
    if (error instanceof CommandFailed) {
      fail(error.message, error.hint);
      return EXIT_FAILURES;
    }
    fail(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    return EXIT_FAILURES;
  }
}
