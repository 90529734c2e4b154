#!/usr/bin/env node
// The `twclid-kit` command. The package ships TypeScript sources, so register
// tsx's ESM loader first, then hand over to the CLI entry.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
// `undefined` means a long-running command (the emulator) that exits on a signal.
if (code !== undefined) process.exit(code);
