/**
 * Mints a `conversion_id`: the deduplication key X matches between the Pixel
 * event and the Conversion API copy ("use the same conversion_id", X web
 * conversions guide). One per conversion, never constant.
 *
 * `crypto.randomUUID` exists only in secure contexts (https, localhost), so
 * plain-http pages and old browsers get a version-4 UUID (RFC 9562 §5.4) built
 * from `crypto.getRandomValues`, and where even that is missing from
 * `Math.random` as a last resort.
 */
export function newConversionId(c: Partial<Crypto> | undefined = globalThis.crypto): string {
  if (c?.randomUUID) return c.randomUUID();
  // Template digits: 0 and 1 take 4 random bits, 8 becomes the variant (10xx);
  // the 4 stays as the version nibble.
  return '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (d) =>
    (
      +d ^
      ((c?.getRandomValues
        ? (c.getRandomValues(new Uint8Array(1))[0] as number)
        : (Math.random() * 256) | 0) &
        (15 >> (+d / 4)))
    ).toString(16),
  );
}
