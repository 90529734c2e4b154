// Runs the command with this process's arguments (bin/twclid-kit.js imports this file).
import { main } from './main.ts';

// Exit explicitly, so nothing left over (an idle keep-alive socket) delays it.
process.exit(await main(process.argv.slice(2)));
