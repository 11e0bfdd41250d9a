/**
 * The binary chunk path: `POST /blobs/v1/chunks` (signed, HTTPS, members only) answers
 * `application/octet-stream` records `u32 index | u32 length | bytes` (big-endian), one per chunk
 * the node holds, so files move without base64 or JSON. Chunks are verified against their CIDs by
 * the receiver, exactly as on the JSON path.
 */
import type { NodeId } from '../../common';
import { CallError } from '../../common';
import type { KeyPair } from '../identity';
import { jsonText } from './bus-payload';
import type { PeerAddress } from './contract';
import type { PinnedCerts } from './pinned-certs';
import { signRequestAsync } from './request-signing';

/** The most chunks one request may ask for. */
export const BLOB_CHUNKS_MAX_PER_REQUEST = 256;
const HEADER_BYTES = 8;

/**
 * One blob's pieces (`{cid, chunks}`: a record's index is the chunk index), or pieces of many
 * blobs at once (`{blobs: [{cid, chunks}, …]}`, for many small files in one request: a record's
 * index is the piece's position in the request, counted over all blobs in order). At most
 * BLOB_CHUNKS_MAX_PER_REQUEST pieces either way.
 */
export type BlobChunksRequest = BlobPieces | { readonly blobs: readonly BlobPieces[] };

export interface BlobPieces {
  readonly cid: string;
  readonly chunks: readonly number[];
}

/** Served by the file service: the requested pieces this node holds, in request order. */
export interface BlobEndpoint {
  serveChunks(
    caller: NodeId,
    req: BlobChunksRequest,
    signal: AbortSignal,
  ): AsyncIterable<{ index: number; data: Uint8Array }>;
}

/** A signed POST ready to be sent from another thread: what `HttpClient` would write, and the certificate to insist on. */
export interface PreparedRequest {
  readonly host: string;
  readonly port: number;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** `sha256:<hex>` the peer's certificate must have (pinned); the sender checks it before writing the request. */
  readonly expectedFingerprint: string;
}

export type PrepareSigned = (peer: PeerAddress, path: string, body: unknown) => Promise<PreparedRequest>;

/**
 * Signs a POST of `body` (canonical JSON) to `peer` exactly as HttpClient does, for a receiver
 * thread (blobs/receiver-threads.ts) to send on its own connection.
 */
export async function prepareSigned(
  o: { readonly kp: KeyPair; readonly pinnedCerts: PinnedCerts },
  peer: PeerAddress,
  path: string,
  body: unknown,
  nowMs: number,
): Promise<PreparedRequest> {
  const expectedFingerprint = o.pinnedCerts.expected(peer.nodeId);
  if (!expectedFingerprint)
    throw new CallError('forbidden', `${path}: no TLS certificate is pinned for ${peer.nodeId}`);
  const text = jsonText(body, path) ?? '';
  const headers = await signRequestAsync(o.kp, { method: 'POST', path, to: peer.nodeId, body: text }, nowMs);
  const { host, port } = peer.endpoint;
  return { host, port, method: 'POST', path, headers, body: text, expectedFingerprint };
}

export function parseBlobChunksRequest(v: Record<string, unknown>): BlobChunksRequest {
  if (v.blobs === undefined) return parsePieces(v, BLOB_CHUNKS_MAX_PER_REQUEST);
  if (!Array.isArray(v.blobs) || v.blobs.length === 0 || v.blobs.length > BLOB_CHUNKS_MAX_PER_REQUEST)
    throw new CallError('bad_request', `blobs must list 1 to ${BLOB_CHUNKS_MAX_PER_REQUEST} blobs`);
  let left = BLOB_CHUNKS_MAX_PER_REQUEST;
  const blobs: BlobPieces[] = [];
  for (const b of v.blobs as unknown[]) {
    if (typeof b !== 'object' || b === null || Array.isArray(b))
      throw new CallError('bad_request', 'each entry of blobs must be {"cid", "chunks"}');
    const p = parsePieces(b as Record<string, unknown>, left);
    left -= p.chunks.length;
    blobs.push(p);
  }
  return { blobs };
}

function parsePieces(v: Record<string, unknown>, max: number): BlobPieces {
  if (typeof v.cid !== 'string' || v.cid.length > 200)
    throw new CallError('bad_request', 'cid must be a blob id (blake3:...)');
  const chunks = v.chunks;
  if (
    !Array.isArray(chunks) ||
    chunks.length === 0 ||
    chunks.length > max ||
    !chunks.every((i) => Number.isInteger(i) && i >= 0)
  ) {
    throw new CallError('bad_request', `chunks must be 1 to ${BLOB_CHUNKS_MAX_PER_REQUEST} chunk indices in all`);
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

/**
 * Incremental parser of the record stream: `push` bytes as they arrive, then take records with
 * `next()` until it returns null. A record that arrived in pieces is copied into one buffer the
 * parser reuses, so its `data` is valid only until the next `next()` call: a 512 MiB download then
 * allocates no 256 KiB buffer per chunk (each one costs page faults, and their sum drives V8 into
 * extra full garbage collections). Callers that keep records must copy them.
 */
export class ChunkRecordParser {
  #parts: Uint8Array[] = [];
  #buffered = 0;
  #joined = new Uint8Array(0);

  constructor(private readonly maxRecordBytes: number) {}

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#parts.push(bytes);
    this.#buffered += bytes.length;
  }

  /** The next complete record, or null until more bytes arrive. */
  next(): { index: number; data: Uint8Array } | null {
    if (this.#buffered < HEADER_BYTES) return null;
    const head = this.#peekHeader();
    const index = head.getUint32(0);
    const length = head.getUint32(4);
    if (length > this.maxRecordBytes)
      throw new CallError('bad_request', `the neighbour sent a ${length}-byte chunk, more than ${this.maxRecordBytes}`);
    if (this.#buffered < HEADER_BYTES + length) return null;
    this.#skip(HEADER_BYTES);
    return { index, data: this.#take(length) };
  }

  /** True when no partial record is left (the stream may end here). */
  get idle(): boolean {
    return this.#buffered === 0;
  }

  #peekHeader(): DataView {
    const first = this.#parts[0];
    if (first.length >= HEADER_BYTES) return new DataView(first.buffer, first.byteOffset, HEADER_BYTES);
    const h = new Uint8Array(HEADER_BYTES);
    let n = 0;
    for (const p of this.#parts) {
      const k = Math.min(p.length, HEADER_BYTES - n);
      h.set(p.subarray(0, k), n);
      if ((n += k) === HEADER_BYTES) break;
    }
    return new DataView(h.buffer);
  }

  #skip(n: number): void {
    this.#buffered -= n;
    while (n > 0) {
      const first = this.#parts[0];
      if (first.length > n) {
        this.#parts[0] = first.subarray(n);
        return;
      }
      n -= first.length;
      this.#parts.shift();
    }
  }

  /** `n` buffered bytes: a view when they sit in one piece, else copied into the reused buffer. */
  #take(n: number): Uint8Array {
    const first = this.#parts[0];
    if (n === 0) return new Uint8Array(0);
    if (first.length >= n) {
      const view = first.subarray(0, n);
      this.#skip(n);
      return view;
    }
    if (this.#joined.length < n) this.#joined = new Uint8Array(n);
    const out = this.#joined.subarray(0, n);
    let got = 0;
    while (got < n) {
      const p = this.#parts[0];
      const k = Math.min(p.length, n - got);
      out.set(k === p.length ? p : p.subarray(0, k), got);
      got += k;
      if (k === p.length) this.#parts.shift();
      else this.#parts[0] = p.subarray(k);
    }
    this.#buffered -= n;
    return out;
  }
}
