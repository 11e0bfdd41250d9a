/**
 * Where the store's chunks are held — chunk files (imports, loose chunks) or packs (fetched blobs)
 * — and reading them back verified. Internal to BlobStore.
 */
import { type Cid } from '../../common';
import { verifyChunk, type ChunkRef } from './chunker';
import type { ChunkFiles } from './chunk-files';
import type { PackFiles } from './packs';
import { BlobError } from './errors';

export class HeldChunks {
  constructor(
    readonly files: ChunkFiles,
    readonly packs: PackFiles,
    private readonly warn: (message: string, extras?: Record<string, unknown>) => void,
  ) {}

  async has(cid: Cid): Promise<boolean> {
    return this.packs.has(cid) || this.files.has(cid);
  }

  /** Verified; a damaged copy is removed ('hash_mismatch' when no good copy is left), a missing chunk is 'not_found'. */
  async read(cid: Cid): Promise<Uint8Array> {
    return (await this.#readPacked(cid, 'always')) ?? this.files.read(cid);
  }

  /** For a peer (who verifies too): re-hashed once per process; see ChunkFiles.readForPeer. */
  async readForPeer(cid: Cid): Promise<Uint8Array> {
    return (await this.#readPacked(cid, 'once')) ?? this.files.readForPeer(cid);
  }

  /** Like read, into `buf` (at least the chunk's size); the view is valid until `buf` is reused. */
  async readInto(ref: ChunkRef, buf: Uint8Array): Promise<Uint8Array> {
    return (await this.#readPacked(ref.cid, 'always', buf)) ?? this.files.readInto(ref, buf);
  }

  /** Removes the chunk file and the chunk from every pack; resolves to the bytes freed. */
  async delete(cid: Cid): Promise<number> {
    const packed = await this.packs.drop(cid);
    return (await this.files.delete(cid)) + packed;
  }

  /**
   * The chunk from a pack, verified always or once per process; null when no pack holds it. A
   * damaged copy is dropped from its pack (so a transfer fetches it again).
   */
  async #readPacked(cid: Cid, verify: 'always' | 'once', buf?: Uint8Array): Promise<Uint8Array | null> {
    if (!this.packs.has(cid)) return null;
    const data = await this.packs.read(cid, buf);
    if (!data || (verify === 'once' && this.packs.checked(cid))) return data;
    try {
      await verifyChunk(data, cid);
    } catch (err) {
      await this.packs.drop(cid);
      this.warn('dropped a chunk damaged on disk', { cid });
      // Another pack, or a chunk file (null here sends the caller to it), may hold a good copy.
      if (this.packs.has(cid) || (await this.files.has(cid))) return this.#readPacked(cid, verify, buf);
      throw new BlobError(
        'hash_mismatch',
        `The stored chunk ${cid} was damaged on disk; it was removed and can be fetched again from a neighbour.`,
        { cause: err, details: { cid } },
      );
    }
    this.packs.markChecked(cid);
    return data;
  }
}
