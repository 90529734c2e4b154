/**
 * Which `conversion_id` the public events route may take (docs/product.md,
 * "Safety (the server)", Trust). The route has no authentication, so an ID
 * posted there must be one nobody else can guess or claim first: a random
 * (version 4) UUID, which is what the browser script mints, or an app's own ID
 * (an order number) carrying the server's signature, `conversion_sig`, which
 * `kit.signConversionId()` computes for the page that fires the Pixel with it.
 *
 * The signature is HMAC-SHA256 of the ID (its UTF-8 bytes) under the kit's
 * `signingSecret`, base64url without padding, so any language can compute the
 * same value. Through `@noble/hashes`, so it runs unchanged on every runtime.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';

/** The shortest `signingSecret`: 32 characters (a random one of that length cannot be guessed). */
export const SIGNING_SECRET_MIN_LENGTH = 32;

/** A version 4 UUID (RFC 9562 §5.4): the version nibble 4, the variant bits 10. */
const RANDOM_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** Whether `id` is a random (version 4) UUID, the form the browser script mints. */
export function isRandomUuid(id: string): boolean {
  return RANDOM_UUID.test(id);
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Compares two strings in time that depends on their length only, never on where they differ. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export interface ConversionSigner {
  /** The signature of `id`: HMAC-SHA256 under the secret, base64url. */
  sign(id: string): string;
  /** Whether `signature` is the signature of `id` (constant-time). */
  verify(id: string, signature: string): boolean;
}

/** A signer for one secret; the caller has checked the secret's length. */
export function createConversionSigner(secret: string): ConversionSigner {
  // Keyed once: each signature clones the keyed state instead of hashing the key again.
  const keyed = hmac.create(sha256, utf8ToBytes(secret));
  const sign = (id: string) => base64url(keyed.clone().update(utf8ToBytes(id)).digest());
  return {
    sign,
    verify: (id, signature) => sameText(sign(id), signature),
  };
}

/** Why the events route refuses a `conversion_id` (400 naming the field). */
export const UNTRUSTED_CONVERSION_ID =
  "must be a random UUID (the script's own), or the app's own ID signed with kit.signConversionId() and sent as conversion_sig";

/**
 * Whether the public route may take `id`: a random UUID, or an ID whose
 * `signature` the kit's signer verifies. Without a signer only UUIDs pass.
 */
export function trustsConversionId(
  id: string,
  signature: string | undefined,
  signer: ConversionSigner | undefined,
): boolean {
  if (isRandomUuid(id)) return true;
  return signature !== undefined && signer?.verify(id, signature) === true;
}
