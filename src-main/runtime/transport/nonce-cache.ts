/** Replay protection: nonces seen within the signature window, in time buckets so expiry is O(1). */

/** How many nonces the cache holds at most before it refuses new requests (memory bound). */
export const NONCE_CACHE_MAX = 200_000;

/**
 * Remembers nonces by the bucket of their request timestamp. A replay carries the same signed
 * timestamp, so it lands in the same bucket; buckets older than the acceptance window are dropped
 * whole.
 */
export class NonceCache {
  private readonly buckets = new Map<number, Set<string>>();
  private size = 0;

  constructor(
    private readonly windowMs: number,
    private readonly bucketMs = Math.max(1000, Math.floor(windowMs / 4)),
    private readonly max = NONCE_CACHE_MAX,
  ) {}

  /**
   * Records `nonce` for a request stamped `tsMs`. Returns 'ok', 'replayed' (seen before) or
   * 'full' (the bound is reached; the caller refuses the request rather than forget nonces).
   */
  add(nonce: string, tsMs: number, nowMs: number): 'ok' | 'replayed' | 'full' {
    this.expire(nowMs);
    const key = Math.floor(tsMs / this.bucketMs);
    let bucket = this.buckets.get(key);
    if (bucket?.has(nonce)) return 'replayed';
    if (this.size >= this.max) return 'full';
    if (!bucket) {
      bucket = new Set();
      this.buckets.set(key, bucket);
    }
    bucket.add(nonce);
    this.size++;
    return 'ok';
  }

  get count(): number {
    return this.size;
  }

  private expire(nowMs: number): void {
    // A request stamped ts is accepted until now = ts + window, so keep its bucket that long.
    const oldest = Math.floor((nowMs - this.windowMs) / this.bucketMs);
    for (const [key, set] of this.buckets) {
      if (key < oldest) {
        this.size -= set.size;
        this.buckets.delete(key);
      }
    }
  }
}
