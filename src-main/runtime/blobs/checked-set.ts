import type { Cid } from '../../common';

/** Chunk ids remembered (~100 bytes each) before the set starts over. */
const CHECKED_MAX = 200_000;

/**
 * Chunks whose stored copy this process wrote from verified bytes, or has re-hashed once already:
 * serving them to a peer needs no second hash (the peer verifies anyway). Bounded: when full it
 * starts over, which only costs a re-hash.
 */
export class CheckedSet {
  readonly #cids = new Set<Cid>();

  has(cid: Cid): boolean {
    return this.#cids.has(cid);
  }

  add(cid: Cid): void {
    if (this.#cids.size >= CHECKED_MAX) this.#cids.clear();
    this.#cids.add(cid);
  }

  delete(cid: Cid): void {
    this.#cids.delete(cid);
  }
}
