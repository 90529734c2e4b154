/**
 * A deterministic `conversion_id` for an uploaded row that has none.
 *
 * X deduplicates on `conversion_id` (within 48 hours) [WC]. A row without one
 * would be counted again every time it is sent, and a resumed upload may send
 * the batch that was in flight at the crash a second time. So such a row gets
 * an ID derived from what it is: its line number and its built conversion
 * (event, time, hashed identifiers, value…), plus an optional namespace. The
 * same row at the same line gives the same ID on every run, on any machine,
 * whatever the file is called; a different row or line gives a different one.
 * Only hashed identifiers enter the derivation, never raw email or phone.
 */

import type { CapiConversion } from '@twclid-kit/server';
import { sha256Hex } from '@twclid-kit/server/core';

/** Bumping this changes every derived ID: only with a reason. */
const DERIVATION = 'twclid-kit upload conversion_id v1';

/**
 * Returns a UUID-shaped ID (RFC 9562 version 8, "custom") from SHA-256 of the
 * inputs, so it looks like the browser's `crypto.randomUUID()` IDs.
 */
export function derivedConversionId(
  line: number,
  conversion: CapiConversion,
  namespace = '',
): string {
  const { conversion_id: _ignored, ...rest } = conversion;
  const hex = sha256Hex(`${DERIVATION}\n${namespace}\n${line}\n${canonicalJson(rest)}`);
  const variant = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** JSON with object keys sorted, so the derivation does not depend on key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
