/** file.put upload sessions: a verified manifest opens one, verified chunks fill it, `complete` makes the blob visible. */
import { type Cid } from '../../../common';
import { parseManifest, type BlobManifest, type BlobStore, type ChunkRef } from '../../blobs';
import type { FilePutState } from './schemas';
import { BlobError } from '../../blobs';

/** An upload nobody writes to for this long releases its gc hold (its chunks stay; a new open resumes). */
export const UPLOAD_IDLE_TIMEOUT_MS = 10 * 60_000;

interface Session {
  readonly manifest: BlobManifest;
  /** Indices still to receive (a chunk CID repeated in the blob fills all its positions at once). */
  readonly missing: Set<number>;
  release: () => void;
  timer: ReturnType<typeof setTimeout> | null;
}

/**
 * Open uploads, keyed by manifest CID. State lives on disk (the partial manifest and the chunks),
 * so after a restart a new `open` with the same manifest resumes and reports only what is missing.
 * Each open upload holds the store against gc until it completes or goes idle.
 */
export class UploadSessions {
  readonly #sessions = new Map<Cid, Session>();

  constructor(
    private readonly store: BlobStore,
    private readonly idleMs = UPLOAD_IDLE_TIMEOUT_MS,
  ) {}

  /** Checks the manifest, records it as a partial blob, and answers with the chunks still needed. */
  async open(raw: unknown): Promise<FilePutState> {
    const m = await parseManifest(raw);
    if (await this.store.hasBlob(m.cid)) return stateOf(m, new Set(), 'complete');
    const s = await this.#session(m);
    return stateOf(m, s.missing, 'open');
  }

  /** Stores one chunk after checking it is the one the manifest names at `index`. */
  async writeChunk(cid: Cid, index: number, data: Uint8Array): Promise<FilePutState> {
    const s = await this.#existing(cid);
    const ref = s.manifest.chunks[index] as ChunkRef | undefined; // the uploader's index: may be out of range
    if (!ref)
      throw new BlobError(
        'manifest_invalid',
        `This file has ${s.manifest.chunks.length} pieces; there is no piece ${index}.`,
        { details: { cid, chunk_index: index } },
      );
    if (data.length !== ref.size_bytes)
      throw new BlobError(
        'hash_mismatch',
        `Piece ${index} should be ${ref.size_bytes} bytes but ${data.length} arrived.`,
        { details: { cid, chunk_index: index } },
      );
    const stored = await this.store.writeChunk(ref.cid, data); // verifies the hash: 'hash_mismatch' otherwise
    for (const r of s.manifest.chunks) if (r.cid === ref.cid) s.missing.delete(r.index);
    this.#touch(cid, s);
    return { ...stateOf(s.manifest, s.missing, 'open'), stored };
  }

  /** Makes the blob visible; 'not_found' (with the missing indices) while pieces are missing. */
  async complete(cid: Cid, pin = false): Promise<FilePutState> {
    let m: BlobManifest;
    if (await this.store.hasBlob(cid)) {
      m = await this.store.readManifest(cid);
    } else {
      const s = await this.#existing(cid);
      m = await this.store.completeBlob(cid);
      this.#end(cid, s);
    }
    if (pin) await this.store.pin(cid);
    return { ...stateOf(m, new Set(), 'complete'), pinned: await this.store.isPinned(cid) };
  }

  /** Uploads open right now. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Releases every hold (the partial uploads stay on disk). */
  closeAll(): void {
    for (const [cid, s] of this.#sessions) this.#end(cid, s);
  }

  async #session(m: BlobManifest): Promise<Session> {
    const have = this.#sessions.get(m.cid);
    if (have) return have;
    await this.store.writePartial(m);
    const missingRefs = await this.store.missingChunks(m);
    const distinct = new Map(missingRefs.map((r) => [r.cid, r.size_bytes]));
    await this.store.assertRoomFor(
      [...distinct.values()].reduce((a, b) => a + b, 0),
      m.filename ? `"${m.filename}"` : 'this file',
    );
    const again = this.#sessions.get(m.cid); // another call may have opened it while we awaited
    if (again) return again;
    const s: Session = {
      manifest: m,
      missing: new Set(missingRefs.map((r) => r.index)),
      release: () => {},
      timer: null,
    };
    this.#sessions.set(m.cid, s);
    s.release = await this.store.hold();
    this.#touch(m.cid, s);
    return s;
  }

  /** The open session, or one rebuilt from a partial manifest left on disk (e.g. before a restart). */
  async #existing(cid: Cid): Promise<Session> {
    const s = this.#sessions.get(cid);
    if (s) return s;
    const partial = await this.store.readPartial(cid);
    if (!partial)
      throw new BlobError('not_found', `No upload of ${cid} is open here; send its manifest first.`, {
        details: { cid },
      });
    return this.#session(partial);
  }

  #touch(cid: Cid, s: Session): void {
    if (s.timer) clearTimeout(s.timer);
    s.timer = setTimeout(() => this.#end(cid, s), this.idleMs);
    s.timer.unref();
  }

  #end(cid: Cid, s: Session): void {
    if (s.timer) clearTimeout(s.timer);
    s.release();
    if (this.#sessions.get(cid) === s) this.#sessions.delete(cid);
  }
}

function stateOf(m: BlobManifest, missing: ReadonlySet<number>, state: 'open' | 'complete'): FilePutState {
  let missingBytes = 0;
  for (const i of missing) missingBytes += m.chunks[i].size_bytes;
  return {
    cid: m.cid,
    state,
    missing: [...missing].sort((a, b) => a - b),
    done_chunks: m.chunks.length - missing.size,
    total_chunks: m.chunks.length,
    bytes: m.size_bytes - missingBytes,
    total_bytes: m.size_bytes,
  };
}
