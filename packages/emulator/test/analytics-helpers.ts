/**
 * Helpers for the analytics tests: OAuth-signed reads and job creation, and
 * sending conversions so the emulator has something to attribute.
 */
import { gunzipSync } from 'node:zlib';
import { expect } from 'vitest';
import type { Emulator } from '../src/app.ts';
import { EMULATOR_DEFAULTS as D } from '../src/defaults.ts';
import { BASE, oauthHeader, type SignOptions, signedPost, validConversion } from './helpers.ts';

export const T0 = Date.parse('2026-11-28T12:00:00.000Z');
export const TS = T0 / 1000;
export const ACCOUNT = D.accountId;

/** An OAuth-signed GET (query signed); returns status, headers and parsed JSON. */
export async function signedGet(
  emu: Emulator,
  path: string,
  query: Record<string, string> = {},
  sign: SignOptions = {},
) {
  const qs = new URLSearchParams(query).toString();
  const url = `${BASE}${path}${qs ? `?${qs}` : ''}`;
  const res = await emu.app.request(url, {
    headers: { authorization: oauthHeader('GET', url, { timestamp: TS, ...sign }) },
  });
  // biome-ignore lint/suspicious/noExplicitAny: X's JSON bodies are asserted field by field.
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

/** An OAuth-signed POST with the parameters in the query string. */
export async function signedPostQuery(
  emu: Emulator,
  path: string,
  query: Record<string, string>,
  sign: SignOptions = {},
) {
  const url = `${BASE}${path}?${new URLSearchParams(query).toString()}`;
  const res = await emu.app.request(url, {
    method: 'POST',
    headers: { authorization: oauthHeader('POST', url, { timestamp: TS, ...sign }) },
  });
  // biome-ignore lint/suspicious/noExplicitAny: X's JSON bodies are asserted field by field.
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

/** Sends conversions through the Conversion API (OAuth) and expects X's 200. */
export async function sendConversions(emu: Emulator, overrides: Record<string, unknown>[]) {
  const conversions = overrides.map((o, i) =>
    validConversion({ conversion_id: `order-${i}-${String(o.conversion_time)}`, ...o }),
  );
  const { url, init } = signedPost({ conversions }, { timestamp: TS });
  const res = await emu.app.request(url, init);
  if (res.status !== 200)
    throw new Error(`conversions answered ${res.status}: ${await res.text()}`);
}

/** Downloads a job's result from its `url` and gunzips it. */
export async function download(emu: Emulator, url: string) {
  const res = await emu.app.request(url);
  if (res.status !== 200) return { status: res.status, body: null };
  expect(res.headers.get('content-type')).toBe('application/gzip');
  const bytes = new Uint8Array(await res.arrayBuffer());
  // biome-ignore lint/suspicious/noExplicitAny: the result file is asserted field by field.
  return { status: 200, body: JSON.parse(gunzipSync(bytes).toString('utf8')) as any };
}

export const statsPath = `/12/stats/accounts/${ACCOUNT}`;
export const jobsPath = `/12/stats/jobs/accounts/${ACCOUNT}`;
