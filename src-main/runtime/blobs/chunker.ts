/** M07 §3.1 of ../shared/spec/hearthnet-reference.md: chunking bytes and files into content-addressed chunks, and the blob manifest. */
import { open } from 'node:fs/promises';
import { CHUNK_SIZE_BYTES, HearthError, canonicalJsonBytes, throwIfAborted, type Cid } from '../../common';
import { hashBytes } from './cid';
import { readFullyAt } from './fs-util';
import { BlobError } from './errors';

/** One chunk of a blob: its position, its CID (BLAKE3 of its bytes) and its length. */
export interface ChunkRef {
  readonly index: number;
  readonly cid: Cid;
  readonly size_bytes: number;
}

/**
 * What a blob is made of. `cid` is the blob's address: BLAKE3 of the canonicalJson of this
 * object without `cid` (see docs/protocol/blobs.md). Field names are wire names.
 */
export interface BlobManifest {
  readonly cid: Cid;
  readonly size_bytes: number;
  readonly chunk_size_bytes: number;
  readonly chunks: readonly ChunkRef[];
  readonly mime_type: string | null;
  readonly filename: string | null;
}

/** A manifest before its CID is known. */
export type UnaddressedManifest = Omit<BlobManifest, 'cid'>;

/** Optional descriptive fields of a manifest (covered by its CID). */
export interface BlobMeta {
  mimeType?: string | null;
  filename?: string | null;
}

/** The manifest CID: `blake3:` of canonicalJson of exactly the manifest's fields other than `cid`. */
export async function manifestCid(manifest: UnaddressedManifest | BlobManifest): Promise<Cid> {
  const body: UnaddressedManifest = {
    size_bytes: manifest.size_bytes,
    chunk_size_bytes: manifest.chunk_size_bytes,
    chunks: manifest.chunks.map((c) => ({ index: c.index, cid: c.cid, size_bytes: c.size_bytes })),
    mime_type: manifest.mime_type,
    filename: manifest.filename,
  };
  return hashBytes(canonicalJsonBytes(body));
}

/** Builds the addressed manifest from chunk refs. */
export async function buildManifest(
  chunks: readonly ChunkRef[],
  chunkSize: number,
  meta: BlobMeta = {},
): Promise<BlobManifest> {
  const body: UnaddressedManifest = {
    size_bytes: chunks.reduce((n, c) => n + c.size_bytes, 0),
    chunk_size_bytes: chunkSize,
    chunks: chunks.map((c) => ({ index: c.index, cid: c.cid, size_bytes: c.size_bytes })),
    mime_type: meta.mimeType ?? null,
    filename: meta.filename ?? null,
  };
  return { cid: await manifestCid(body), ...body };
}

/** Throws BlobError('hash_mismatch') unless `data` hashes to `expectedCid`. */
/** Where a distinct chunk of a blob goes: its first position, its size, and every byte offset it fills. */
export interface ChunkPlacement {
  readonly index: number;
  readonly size: number;
  readonly offsets: number[];
}

/** Placements of a blob's distinct chunks (a chunk repeated in the blob fills several offsets). */
export function chunkPlacements(m: BlobManifest): Map<Cid, ChunkPlacement> {
  const out = new Map<Cid, ChunkPlacement>();
  let off = 0;
  for (const ref of m.chunks) {
    const p = out.get(ref.cid);
    if (p) p.offsets.push(off);
    else out.set(ref.cid, { index: ref.index, size: ref.size_bytes, offsets: [off] });
    off += ref.size_bytes;
  }
  return out;
}

/** The placement of `cid` (one of the blob's chunks: every chunk of a manifest has one). */
export function placementOf(places: Map<Cid, ChunkPlacement>, cid: Cid): ChunkPlacement {
  const place = places.get(cid);
  if (!place) throw new Error(`chunk ${cid} is not part of this blob`);
  return place;
}

export async function verifyChunk(data: Uint8Array, expectedCid: Cid): Promise<void> {
  const actual = await hashBytes(data);
  if (actual !== expectedCid) {
    throw new BlobError(
      'hash_mismatch',
      `A chunk's content does not match its id ${expectedCid}; it was damaged or is not the chunk asked for.`,
      {
        details: { expected: expectedCid, actual, size_bytes: data.length },
      },
    );
  }
}

/** In-memory chunking, for small data only (whole blob held in memory). */
export async function chunkBlob(
  data: Uint8Array,
  opts: BlobMeta & { chunkSize?: number } = {},
): Promise<{ manifest: BlobManifest; chunks: Uint8Array[] }> {
  const size = opts.chunkSize ?? CHUNK_SIZE_BYTES;
  const chunks: Uint8Array[] = [];
  const refs: ChunkRef[] = [];
  for (let off = 0, i = 0; off < data.length; off += size, i++) {
    const bytes = data.subarray(off, Math.min(off + size, data.length));
    chunks.push(bytes);
    refs.push({ index: i, cid: await hashBytes(bytes), size_bytes: bytes.length });
  }
  return { manifest: await buildManifest(refs, size, opts), chunks };
}

/** Concatenates chunks (small blobs only). */
export function reassemble(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** Progress of a streaming operation over a file or blob. */
export interface ByteProgress {
  bytes: number;
  total_bytes: number;
}

export interface ChunkFileOptions extends BlobMeta {
  chunkSize?: number;
  onProgress?: (p: ByteProgress) => void;
  signal?: AbortSignal;
}

/**
 * Streams a file: reads `chunkSize` bytes at a time, hashes each, and hands it to `sink` (which
 * stores it) before reading the next, so memory stays at one chunk whatever the file size.
 * The buffer passed to `sink` is reused afterwards: the sink must finish with it before resolving.
 */
export async function chunkFile(
  path: string,
  sink: (ref: ChunkRef, bytes: Uint8Array) => Promise<void>,
  opts: ChunkFileOptions = {},
): Promise<BlobManifest> {
  const size = opts.chunkSize ?? CHUNK_SIZE_BYTES;
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw fileError(path, err);
  }
  try {
    const total = (await fh.stat()).size;
    const buf = new Uint8Array(size);
    const refs: ChunkRef[] = [];
    let pos = 0;
    for (;;) {
      throwIfAborted(opts.signal, `Reading ${path}`);
      const filled = await readFullyAt(fh, buf, size, pos);
      if (filled === 0) break;
      const bytes = buf.subarray(0, filled);
      const ref: ChunkRef = { index: refs.length, cid: await hashBytes(bytes), size_bytes: filled };
      await sink(ref, bytes);
      refs.push(ref);
      pos += filled;
      opts.onProgress?.({ bytes: pos, total_bytes: Math.max(total, pos) });
      if (filled < size) break;
    }
    return await buildManifest(refs, size, opts);
  } catch (err) {
    if (err instanceof HearthError) throw err;
    throw fileError(path, err);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

function fileError(path: string, err: unknown): BlobError {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT')
    return new BlobError('not_found', `The file ${path} does not exist.`, { cause: err, details: { path } });
  return new BlobError('io_error', `Could not read the file ${path} (${code ?? 'error'}).`, {
    cause: err,
    details: { path },
  });
}
