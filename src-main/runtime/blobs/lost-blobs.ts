/**
 * Blobs this device stopped holding by itself — a linked file (the user's own, after `files add` or
 * `files get --out`) was changed or removed — told to whoever offers blobs to neighbours (the file
 * service appends `file.cid.unpinned`, so neighbours stop naming this device as a holder). Losses
 * found at start, before anyone listens, are kept and handed to the first listener.
 */
import type { Cid } from '../../common';

/** Losses remembered while nobody listens (a store with more broken links than this reports the first ones). */
const UNHEARD_MAX = 10_000;

export class LostBlobs {
  readonly #listeners = new Set<(cid: Cid) => void>();
  #unheard: Cid[] = [];

  report(cid: Cid): void {
    if (!this.#listeners.size) {
      if (this.#unheard.length < UNHEARD_MAX) this.#unheard.push(cid);
      return;
    }
    for (const l of this.#listeners) l(cid);
  }

  /** Calls `fn` for every loss from now on (and once for each loss nobody heard yet); returns the unsubscribe. */
  listen(fn: (cid: Cid) => void): () => void {
    this.#listeners.add(fn);
    const unheard = this.#unheard;
    this.#unheard = [];
    for (const cid of unheard) fn(cid);
    return () => this.#listeners.delete(fn);
  }
}
