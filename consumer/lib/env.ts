/**
 * The environment a consumer app's processes run with: what a user's shell
 * would have, and nothing that points back into this repository.
 *
 * Vitest runs under npm/npx from the repository, so the inherited environment
 * carries `npm_config_local_prefix=/work/main` (an `npm install` would then
 * install into the repository), `npm_package_*`, the workspace's
 * `node_modules/.bin` on PATH, and possibly NODE_OPTIONS or NODE_PATH (a
 * loader or an extra module path would hide a packaging defect). Only an allow
 * list passes: home, locale, proxies and certificates, and npm's cache,
 * registry and build settings, so installs still use the shared cache and
 * native addons still build.
 */
import { delimiter, dirname, resolve } from 'node:path';
import { REPO_DIR } from './pack.ts';

const KEEP = new Set([
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
]);

/** npm settings a user's own npm would have too (lowercased, without the `npm_config_` prefix). */
const NPM_KEEP = new Set([
  'cache',
  'registry',
  'userconfig',
  'globalconfig',
  'cafile',
  'strict_ssl',
  'proxy',
  'https_proxy',
  'noproxy',
  'nodedir',
]);

const repo = resolve(REPO_DIR);
const insideRepo = (value: string) => value.includes(repo);

/** PATH without any `node_modules/.bin` (the workspace's tsx, tsc, vitest…), with this Node first. */
export function cleanPath(path = process.env.PATH ?? ''): string {
  const entries = path
    .split(delimiter)
    .filter((entry) => entry !== '' && !entry.includes('node_modules') && !insideRepo(entry));
  return [
    dirname(process.execPath),
    ...entries.filter((e) => e !== dirname(process.execPath)),
  ].join(delimiter);
}

/** A clean environment plus `extra` (which wins). */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || insideRepo(value)) continue;
    const npm = /^npm_config_(.+)$/i.exec(key)?.[1]?.toLowerCase();
    if (KEEP.has(key) || (npm !== undefined && NPM_KEEP.has(npm))) env[key] = value;
  }
  env.PATH = cleanPath();
  // Quiet, non-interactive npm: no update check, no prompts (npx --no), no colour codes in output.
  env.npm_config_update_notifier = 'false';
  env.NO_COLOR = '1';
  return { ...env, ...extra };
}
