/**
 * The binary chunk path: `POST /blobs/v1/chunks` (signed, HTTPS, members only) answers
 * `application/octet-stream` records `u32 index | u32 length | bytes` (big-endian), one per chunk
 * the node holds, so files move without base64 or JSON. Chunks are verified against their CIDs by
 * the receiver, exactly as on the JSON path.
 */
import type { NodeId } from '../../common';
import { CallError } from '../../common';

/** The most chunks one request may ask for. */
export const BLOB_CHUNKS_MAX_PER_REQUEST = 256;
const HEADER_BYTES = 8;

export interface BlobChunksRequest {
  readonly cid: string;
  readonly chunks: readonly number[];
}

/** Served by the file service: the chunks of `cid` this node holds, in any order. */
export interface BlobEndpoint {
  serveChunks(caller: NodeId, req: BlobChunksRequest, signal: AbortSignal): AsyncIterable<{ index: number; data: Uint8Array }>;
}

export function parseBlobChunksRequest(v: Record<string, unknown>): BlobChunksRequest {
  if (typeof v.cid !== 'string' || v.cid.length > 200) throw new CallError('bad_request', 'cid must be a blob id (blake3:...)');
  const chunks = v.chunks;
  if (!Array.isArray(chunks) || chunks.length === 0 || chunks.length > BLOB_CHUNKS_MAX_PER_REQUEST || !chunks.every((i) => Number.isInteger(i) && i >= 0)) {
    throw new CallError('bad_request', `chunks must be 1 to ${BLOB_CHUNKS_MAX_PER_REQUEST} chunk indices`);
  }
  return { cid: v.cid, chunks: chunks as number[] };
}

export function chunkRecordHeader(index: number, length: number): Uint8Array {
  const h = new Uint8Array(HEADER_BYTES);
  const dv = new DataView(h.buffer);
  dv.setUint32(0, index);
  dv.setUint32(4, length);
  return h;
}

/** Incremental parser of the record stream; holds at most one record in memory. */
export class ChunkRecordParser {
  #parts: Uint8Array[] = [];
  #buffered = 0;

  constructor(private readonly maxRecordBytes: number) {}

  /** Feed bytes; returns the records completed by them. */
  push(bytes: Uint8Array): Array<{ index: number; data: Uint8Array }> {
    this.#parts.push(bytes);
    this.#buffered += bytes.length;
    const out: Array<{ index: number; data: Uint8Array }> = [];
    for (;;) {
      if (this.#buffered < HEADER_BYTES) return out;
      const head = this.#peek(HEADER_BYTES);
      const dv = new DataView(head.buffer, head.byteOffset, HEADER_BYTES);
      const index = dv.getUint32(0);
      const length = dv.getUint32(4);
      if (length > this.maxRecordBytes) throw new CallError('bad_request', `the neighbour sent a ${length}-byte chunk, more than ${this.maxRecordBytes}`);
      if (this.#buffered < HEADER_BYTES + length) return out;
      const all = this.#take(HEADER_BYTES + length);
      out.push({ index, data: all.subarray(HEADER_BYTES) });
    }
  }

  /** True when no partial record is left (the stream may end here). */
  get idle(): boolean {
    return this.#buffered === 0;
  }

  #peek(n: number): Uint8Array {
    if (this.#parts[0].length >= n) return this.#parts[0];
    const joined = Buffer.concat(this.#parts);
    this.#parts = [joined];
    return joined;
  }

  #take(n: number): Uint8Array {
    const first = this.#parts[0];
    let taken: Uint8Array;
    if (first.length >= n) {
      taken = first.subarray(0, n);
      if (first.length === n) this.#parts.shift();
      else this.#parts[0] = first.subarray(n);
    } else {
      const joined = Buffer.concat(this.#parts);
      taken = joined.subarray(0, n);
      this.#parts = joined.length > n ? [joined.subarray(n)] : [];
    }
    this.#buffered -= n;
    return taken;
  }
}
