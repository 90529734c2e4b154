/**
 * SHA-256 for identifiers, through `@noble/hashes` so it runs unchanged on
 * Node, Deno, Bun and edge runtimes (no `node:crypto`).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

const SHA256_HEX = /^[0-9a-f]{64}$/i;

/** SHA-256 of the UTF-8 bytes of `text`, as lowercase hex (X's required form). */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** `true` when `value` is 64 hex digits (either case): an already hashed identifier. */
export function isSha256Hex(value: string): boolean {
  return SHA256_HEX.test(value);
}

/**
 * Hashes a normalized identifier, or passes an existing digest through in
 * lowercase: X's official server-side tag does the same, so callers may hash
 * themselves [GTM].
 */
export function hashIdentifier(normalized: string): string {
  return isSha256Hex(normalized) ? normalized.toLowerCase() : sha256Hex(normalized);
}
