/**
 * Hygiene, after the other scenarios: the SQLite outbox files and the servers'
 * captured logs hold none of the raw emails or phone numbers that were sent
 * (in any spelling: as typed, lowercased, E.164) nor the OAuth secrets, and the
 * browser bundle holds no secret. The scanner proves itself on planted values
 * first, so a scan that cannot find anything never passes.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { EMULATOR_DEFAULTS } from '@twclid-kit/emulator';
import { buildBrowserScript } from '../lib/browser-build.ts';
import type { ScenarioContext } from './context.ts';

/** Values that must never leave the server's memory. */
export const SERVER_SECRETS: readonly string[] = [
  EMULATOR_DEFAULTS.consumerSecret,
  EMULATOR_DEFAULTS.accessToken,
  EMULATOR_DEFAULTS.accessTokenSecret,
  EMULATOR_DEFAULTS.pixelToken,
];

/** Names that would betray a credential shipped to browsers. */
const BUNDLE_FORBIDDEN: readonly string[] = [
  ...SERVER_SECRETS,
  EMULATOR_DEFAULTS.consumerKey,
  'X_CONSUMER_SECRET',
  'X_ACCESS_TOKEN_SECRET',
  'X_ACCESS_TOKEN',
  'X_PIXEL_TOKEN',
  'X-Pixel-Token',
  'oauth_signature',
  'consumer_secret',
  'token_secret',
];

/**
 * Finds which needles occur in `haystack` (case-insensitive). A candidate scan
 * (emails and phone-like runs) keeps it linear in the file size for tens of
 * thousands of needles; anything else is searched directly.
 */
export function findNeedles(haystack: string, needles: ReadonlySet<string>): string[] {
  const lower = haystack.toLowerCase();
  const found = new Set<string>();
  const wanted = new Map<string, string[]>();
  const want = (key: string, needle: string): void => {
    wanted.set(key, [...(wanted.get(key) ?? []), needle]);
  };
  // NANP numbers: compare the 10 national digits, with or without the +1.
  const phoneKey = (digits: string): string =>
    digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
  const direct: string[] = [];
  for (const n of needles) {
    const key = n.trim().toLowerCase();
    if (key.length < 6) continue;
    if (/^[^@\s]+@[^@\s]+$/.test(key)) want(key, n);
    else if (/^[+\d\s().-]+$/.test(key)) want(phoneKey(key.replace(/\D/g, '')), n);
    else direct.push(n);
  }
  const hit = (key: string): void => {
    for (const n of wanted.get(key) ?? []) found.add(n);
  };
  for (const m of lower.matchAll(/[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}/g)) hit(m[0]);
  // Phone-like runs: digits with the separators people type, not inside a hex hash.
  for (const m of lower.matchAll(/(?<![0-9a-f])\+?\(?\d[\d\s().-]{6,20}\d(?![0-9a-f])/g)) {
    hit(phoneKey(m[0].replace(/\D/g, '')));
  }
  for (const n of direct) if (lower.includes(n.toLowerCase())) found.add(n);
  return [...found];
}

export async function hygieneScenario(ctx: ScenarioContext): Promise<void> {
  const { checks } = ctx;
  // The scanner must find what is there: planted values in a made-up log line.
  const planted = new Set([
    'Planted.Person@Example.com',
    '(917) 555-0142',
    '+19175550142',
    SERVER_SECRETS[0] as string,
  ]);
  const plantedText = `{"msg":"x","email":"planted.person@example.com","phone":"917-555-0142","k":"${SERVER_SECRETS[0]}"}\n`;
  const selfTest = findNeedles(plantedText, planted);
  checks.check(
    'the scanner finds planted emails, phones and secrets',
    selfTest.length === planted.size,
    `${selfTest.length} of ${planted.size} found`,
  );

  const needles = new Set([...ctx.pii, ...SERVER_SECRETS]);
  const files = [...ctx.artifacts].filter((f) => existsSync(f));
  const scanned: string[] = [];
  const leaks: string[] = [];
  let bytes = 0;
  for (const file of files) {
    const content = readFileSync(file).toString('latin1');
    bytes += statSync(file).size;
    scanned.push(path.basename(file));
    for (const hit of findNeedles(content, needles))
      leaks.push(`${path.basename(file)}: ${hit.length > 4 ? `${hit.slice(0, 3)}…` : hit}`);
  }
  const dbCount = files.filter((f) => /\.db(-wal|-shm)?$/.test(f)).length;
  const logCount = files.filter((f) => f.endsWith('.log')).length;
  checks.check(
    'outbox files and logs exist to scan',
    dbCount > 0 && logCount > 0 && ctx.pii.size > 0,
    `${dbCount} SQLite files, ${logCount} logs, ${(bytes / 2 ** 20).toFixed(1)} MiB, ${ctx.pii.size} PII values`,
  );
  checks.check(
    'no raw email, phone or secret in the SQLite files and logs',
    leaks.length === 0,
    leaks.length
      ? `${leaks.length} found: ${leaks.slice(0, 5).join('; ')}`
      : `${scanned.length} files clean`,
  );

  const bundle = readFileSync(await buildBrowserScript(true), 'utf8');
  const bundleHits = BUNDLE_FORBIDDEN.filter((s) => bundle.toLowerCase().includes(s.toLowerCase()));
  checks.check(
    'the browser bundle contains no secret',
    bundleHits.length === 0 && bundle.length > 0,
    bundleHits.length
      ? `found: ${bundleHits.join(', ')}`
      : `${bundle.length} B checked for ${BUNDLE_FORBIDDEN.length} secrets and credential names`,
  );
}
