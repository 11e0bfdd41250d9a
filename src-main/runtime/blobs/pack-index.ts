/**
 * Which packs exist and which chunks each holds (internal to packs.ts): the in-memory index behind
 * the store's global chunk lookups, and the bytes of chunk positions the store's own packs hold.
 */
import type { Cid } from '../../common';
import { chunkPlacements, type BlobManifest, type ChunkPlacement } from './chunker';
import type { LinkInfo } from './pack-links';

export interface Pack {
  readonly m: BlobManifest;
  /** Every offset each chunk fills, its size, and the index `.have` records for it. */
  readonly places: Map<Cid, ChunkPlacement>;
  readonly have: Set<Cid>;
  /** Set when the bytes live in a file outside the store (complete, read-only). */
  link: LinkInfo | null;
  /** Chunks whose write is in flight (write-behind). */
  readonly writing: Set<Cid>;
}

export class PackIndex {
  /** Bytes of chunk positions held in the store's own packs (a linked file is the user's). */
  bytes = 0;
  readonly packs = new Map<Cid, Pack>();
  /** Chunk CID -> blobs whose pack holds it. */
  readonly #where = new Map<Cid, Set<Cid>>();

  /** The pack of `m`, created (empty) if there is none. */
  pack(m: BlobManifest): Pack {
    let p = this.packs.get(m.cid);
    if (p) return p;
    p = { m, places: chunkPlacements(m), have: new Set(), link: null, writing: new Set() };
    this.packs.set(m.cid, p);
    return p;
  }

  /** A pack held whole by the file `info` names. */
  linked(m: BlobManifest, info: LinkInfo): Pack {
    const p: Pack = { m, places: chunkPlacements(m), have: new Set(), link: info, writing: new Set() };
    this.packs.set(m.cid, p);
    for (const cid of p.places.keys()) this.add(p, cid);
    return p;
  }

  /** Some blob whose pack holds `cid`. */
  holderOf(cid: Cid): Cid | undefined {
    return this.#where.get(cid)?.values().next().value;
  }

  holders(cid: Cid): Cid[] {
    return [...(this.#where.get(cid) ?? [])];
  }

  placeBytes(p: Pack, cid: Cid): number {
    const place = p.places.get(cid);
    return place ? place.size * place.offsets.length : 0;
  }

  add(p: Pack, cid: Cid): void {
    if (p.have.has(cid)) return;
    p.have.add(cid);
    if (!p.link) this.bytes += this.placeBytes(p, cid);
    let w = this.#where.get(cid);
    if (!w) this.#where.set(cid, (w = new Set()));
    w.add(p.m.cid);
  }

  /** Forgets `cid` in pack `p`; resolves to the bytes of its positions (0 if it was not held). */
  remove(p: Pack, cid: Cid): number {
    if (!p.have.delete(cid)) return 0;
    const n = this.placeBytes(p, cid);
    if (!p.link) this.bytes -= n;
    const w = this.#where.get(cid);
    w?.delete(p.m.cid);
    if (w && w.size === 0) this.#where.delete(cid);
    return n;
  }
}
