#!/usr/bin/env node
// The `twclid-kit` command. The package ships TypeScript sources, so register
// tsx's ESM loader first, then hand over to the CLI entry.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
// Exit explicitly, so nothing left over (an idle keep-alive socket) delays it.
process.exit(await main(process.argv.slice(2)));
