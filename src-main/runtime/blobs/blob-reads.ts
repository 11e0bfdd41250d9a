/** Reading whole blobs back: as a stream of verified chunks, into memory, or out to a user's file. Internal to BlobStore. */
import { HearthError, type Cid } from '../../common';
import type { BlobManifest, ChunkRef } from './chunker';
import { FileAssembly, type ExportOptions } from './export';
import { readCompleteManifest, type StoreParts } from './store-parts';
import { BlobError } from './errors';

/** Largest blob `readBlobBytes` will put in memory; bigger ones must be streamed. */
export const READ_BLOB_BYTES_MAX = 64 * 1024 * 1024;

function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new HearthError('cancelled', `${what} was cancelled.`, { cause: signal.reason });
}

/** A complete blob's chunks in order, each verified as it is read (fresh buffers: the consumer may keep them). */
export async function* readBlobStream(
  p: StoreParts,
  cid: Cid,
  signal?: AbortSignal,
): AsyncGenerator<[ChunkRef, Uint8Array]> {
  const m = await readCompleteManifest(p, cid);
  for (const ref of m.chunks) {
    throwIfAborted(signal, 'Reading the file');
    yield [ref, await p.held.read(ref.cid)];
  }
}

/** A small blob's bytes in memory (at most `maxBytes`; stream bigger ones). */
export async function readBlobBytes(p: StoreParts, cid: Cid, maxBytes = READ_BLOB_BYTES_MAX): Promise<Uint8Array> {
  const m = await readCompleteManifest(p, cid);
  if (m.size_bytes > maxBytes)
    throw new BlobError(
      'io_error',
      `The file is ${m.size_bytes} bytes, too big to read into memory (limit ${maxBytes}); stream it instead.`,
    );
  const out = new Uint8Array(m.size_bytes);
  const buf = new Uint8Array(m.chunk_size_bytes);
  let off = 0;
  for (const ref of m.chunks) {
    const data = await p.held.readInto(ref, buf);
    out.set(data, off);
    off += data.length;
  }
  return out;
}

/** Writes a complete blob to `outPath` atomically (temp file beside it, then rename). */
export async function exportToFile(
  p: StoreParts,
  cid: Cid,
  outPath: string,
  opts: ExportOptions = {},
): Promise<BlobManifest> {
  const m = await readCompleteManifest(p, cid);
  const a = await FileAssembly.open(m, outPath);
  try {
    await fillAssembly(p, a, opts);
    await a.commit();
  } catch (err) {
    await a.discard();
    throw err;
  }
  return m;
}

/** Copies into `a` every chunk it still lacks, each verified as it is read (one chunk in memory). */
export async function fillAssembly(p: StoreParts, a: FileAssembly, opts: ExportOptions = {}): Promise<void> {
  const buf = new Uint8Array(a.manifest.chunk_size_bytes);
  for (const ref of a.missing()) {
    throwIfAborted(opts.signal, 'Saving the file');
    await a.write(ref.cid, await p.held.readInto(ref, buf));
    opts.onProgress?.({ bytes: a.bytes, total_bytes: a.manifest.size_bytes });
  }
}
