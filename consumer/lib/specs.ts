/**
 * Registry versions the consumer apps install. TypeScript and @types/node
 * match the repository's own devDependencies (what the packages are built and
 * typechecked with); Bun and Deno are pinned exactly so a new release cannot
 * change a run (bump them on purpose: `npm view bun version`, `npm view deno version`).
 */
export const TYPESCRIPT = 'typescript@5.9.3';
export const TYPES_NODE = '@types/node@20.19.43';
/** The lowest hono the server's peer range (^4.12.25) allows, older than the repository's 4.13.19. */
export const OLDEST_HONO = '4.12.25';
export const BUN = 'bun@1.4.5';
export const DENO = 'deno@2.9.6';

/**
 * The server tarball as an edge/Bun/Deno user installs it: with hono and
 * without better-sqlite3 (its optional peer). Bun and Deno come from the
 * registry into the same app; their binaries arrive through platform
 * sub-packages and postinstall scripts, approved the npm 11 way.
 * Shared by server-only.test.ts and runtimes.test.ts.
 */
export const SERVER_ONLY = {
  tarballs: ['browser', 'server'],
  registry: ['hono', BUN, DENO],
  allowScripts: ['bun', 'deno'],
} as const;

/**
 * workerd runs through Miniflare 4, which needs Node 22 or later; the
 * registry's `node` package brings such a binary into the app (Node 26, the
 * Active LTS line since October 2026). esbuild bundles the Worker as wrangler
 * would. Pinned exactly: `npm view node version`, `npm view miniflare version`,
 * `npm view esbuild version`.
 */
export const NODE_LTS = 'node@26.10.0';
export const MINIFLARE = 'miniflare@4.20260730.0';
export const ESBUILD = 'esbuild@0.28.2';

/**
 * One app for the shared scenario on every runtime (runtimes-scenario.test.ts):
 * the server README's examples run from it on Node (@hono/node-server), Bun,
 * Deno and workerd, with the emulator on Node. No better-sqlite3: its native
 * build is covered by node-app.test.ts and would double this install's time.
 */
export const ALL_RUNTIMES = {
  tarballs: ['browser', 'server', 'emulator'],
  registry: ['hono', '@hono/node-server', BUN, DENO, NODE_LTS, MINIFLARE, ESBUILD],
  allowScripts: ['bun', 'deno', 'node', 'workerd', 'esbuild'],
} as const;
