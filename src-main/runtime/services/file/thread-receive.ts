/** Big files' pieces received in receiver threads (blobs/receiver-threads.ts): the FileClient's side. */
import {
  ReceiverThreads,
  type OutgoingRequest,
  type PackStreamer,
  type ThreadPiece,
  type WrittenChunk,
} from '../../blobs';
import type { BlobChunksRequest } from '../../transport/blob-chunks';

/** Signs a binary-path request (`POST /blobs/v1/chunks`) to `nodeId` for a thread to send (transport `HttpClient.prepareSigned`). */
export type BinaryRequestSigner = (nodeId: string, req: BlobChunksRequest) => Promise<OutgoingRequest>;

/**
 * A PackStreamer for one blob: each batch is signed here and received by a thread straight into
 * the blob's pack. Declines (null) for sources it cannot address by node id, and when no thread can
 * check pieces (no native hasher): those batches go through the main thread as before.
 */
export function threadStreamer(
  threads: ReceiverThreads,
  sign: BinaryRequestSigner,
  manifestCid: string,
  canAddress: (source: string) => boolean,
): PackStreamer {
  return (source, chunks, pack, signal) => {
    if (!threads.available || !canAddress(source)) return null;
    return (async function* (): AsyncGenerator<WrittenChunk> {
      const cidOf = new Map(chunks.map((c) => [c.index, c.cid]));
      const pieces: ThreadPiece[] = [];
      for (const c of chunks) {
        const place = pack.places.get(c.cid);
        if (place)
          pieces.push({
            index: c.index,
            hash: c.cid.slice('blake3:'.length),
            size: c.size_bytes,
            offsets: place.offsets,
          });
      }
      const request = await sign(source, { cid: manifestCid, chunks: pieces.map((p) => p.index) });
      for await (const e of threads.receive(request, pack.path, pieces, signal)) {
        if (e.t === 'fatal') yield { fatal: e.error };
        else {
          const cid = cidOf.get(e.index);
          if (cid) yield { cid, ok: e.t === 'ok' };
        }
      }
    })();
  };
}
