/**
 * Remembers OAuth nonces for as long as their timestamp could still pass the
 * skew check (RFC 5849 §3.3: the server may reject a nonce it has seen with
 * the same timestamp, consumer key and token). Older entries can be forgotten
 * because the timestamp check already rejects them, which bounds memory.
 */
export interface NonceCache {
  /** Records the nonce; false when the same (consumer, token, nonce) was seen. */
  use(
    consumerKey: string,
    token: string,
    nonce: string,
    timestamp: number,
    nowSeconds: number,
  ): boolean;
  clear(): void;
  readonly size: number;
}

export function createNonceCache(maxSkewSeconds: number): NonceCache {
  // Insertion order is roughly time order, so pruning walks from the front.
  const seen = new Map<string, number>();
  const prune = (nowSeconds: number) => {
    for (const [key, ts] of seen) {
      if (ts >= nowSeconds - 2 * maxSkewSeconds) break;
      seen.delete(key);
    }
  };
  return {
    use(consumerKey, token, nonce, timestamp, nowSeconds) {
      prune(nowSeconds);
      const key = `${consumerKey}\u0000${token}\u0000${nonce}`;
      if (seen.has(key)) return false;
      seen.set(key, Math.max(timestamp, nowSeconds));
      return true;
    },
    clear() {
      seen.clear();
    },
    get size() {
      return seen.size;
    },
  };
}
