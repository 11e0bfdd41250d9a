/** The node's side of file transfer: pull a blob from peers through file.read on the bus, and add local files. */
import { basename, extname } from 'node:path';
import {
  ReceiverThreads,
  TransferManager,
  type PackStreamer,
  type ReceivedChunk,
  type WantedChunk,
  type BlobManifest,
  type BlobStore,
  type ByteProgress,
  type TransferInit,
  type TransferProgress,
} from '../../blobs';
import type { CapabilityBus } from '../../bus';
import type { BlobChunksRequest } from '../../transport/blob-chunks';
import { fetchSmallFiles, FILE_LANES, inLanes, saveFile } from './batch';
import { threadStreamer, type BinaryRequestSigner } from './thread-receive';
import { DATA_B64_MAX_LENGTH, type FileChunkData } from './schemas';
import { BlobError } from '../../blobs';

/**
 * The source name meaning "whichever node the bus routes to" (no node targeting). Used when no
 * holder is known; the bus then fails over between file.read instances on `not_found`.
 */
export const MESH_SOURCE = 'mesh';

export interface MeshFetchOptions {
  /** Node ids to pull from in parallel; default: the known holders (SourceIndex), else MESH_SOURCE. */
  readonly sources?: readonly string[];
  readonly onProgress?: (p: TransferProgress) => void;
  readonly signal?: AbortSignal;
}

/** Fetches chunk records from one node over the binary path (transport `HttpClient.fetchChunks`). */
export type BinaryChunkFetcher = (
  nodeId: string,
  req: BlobChunksRequest,
  signal: AbortSignal,
) => AsyncIterable<{ index: number; data: Uint8Array }>;

export interface FileClientComponents {
  readonly bus: CapabilityBus;
  readonly store: BlobStore;
  /** When given, chunks from a known node come over the binary path instead of base64 frames. */
  readonly binary?: BinaryChunkFetcher;
  /** Who advertised a CID (usually `SourceIndex.sourcesOf`). */
  readonly sourcesOf?: (cid: string) => readonly string[];
  /**
   * When given, a big file's pieces are received in receiver threads (off the event loop): this
   * signs each binary-path request for the thread to send.
   */
  readonly signBinary?: BinaryRequestSigner;
}

/**
 * Fetches blobs from the mesh into the local store: one `file.read` call per chunk, each addressed
 * to one peer through the `node_id` param, so the TransferManager spreads chunks over several
 * peers at once, verifies each, and resumes after an abort with only the missing ones. Memory
 * stays at `concurrency` chunks. Lifecycle: `stop()` cancels fetches in progress.
 */
export class FileClient {
  readonly #c: FileClientComponents;
  readonly #init: TransferInit;
  /** One TransferManager per blob being fetched (its chunk requests name the blob). */
  readonly #active = new Map<string, { tm: TransferManager; promise: Promise<BlobManifest> }>();
  /** Receiver threads, when `signBinary` is given (started on first use). */
  #threads: ReceiverThreads | null = null;

  constructor(components: FileClientComponents, init: TransferInit = {}) {
    this.#c = components;
    this.#init = init;
  }

  async start(): Promise<void> {}

  /** Cancels fetches in progress (chunks already stored are kept for a later resume), then ends the receiver threads. */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.#active.values()].map((a) => a.tm.stop()));
    const threads = this.#threads;
    this.#threads = null;
    await threads?.stop();
  }

  /** The thread path for one blob's batches, when configured. */
  #into(manifestCid: string): PackStreamer | undefined {
    const sign = this.#c.signBinary;
    if (!sign) return undefined;
    this.#threads ??= new ReceiverThreads();
    return threadStreamer(this.#threads, sign, manifestCid, (source) => source !== MESH_SOURCE);
  }

  /**
   * Fetches `manifestCid` unless held; resolves to its manifest. A second call for a blob being
   * fetched joins the first. Errors as TransferManager.fetchBlob ('not_found', 'disk_full',
   * 'manifest_invalid', 'cancelled').
   */
  fetch(manifestCid: string, opts: MeshFetchOptions = {}): Promise<BlobManifest> {
    return this.#fetch(manifestCid, opts);
  }

  /**
   * Fetches `manifestCid` (unless held) and saves it as a new file at `outPath(manifest)`. The
   * chunks are written once, into the blob's pack at their offsets; when the last one is verified
   * the pack is datasync'd and moved onto the path (a hard link: the name appears only on the whole
   * file, and never replaces an existing one), and the store keeps the blob linked to that file.
   * When it cannot be moved (blob held in chunk files, or another filesystem) the file is copied
   * from the store through a temp file beside the target. Resolves to the path.
   */
  async fetchToFile(
    manifestCid: string,
    outPath: (m: BlobManifest) => string | Promise<string>,
    opts: MeshFetchOptions = {},
  ): Promise<{ manifest: BlobManifest; path: string }> {
    const m = await this.#fetch(manifestCid, opts);
    return saveFile(this.#c.store, m, await outPath(m), { signal: opts.signal });
  }

  /**
   * `fetchToFile` for many files (a folder): small files whose holder is known come in shared
   * requests and are made durable together (batch.ts); the others, and any the batch could not
   * finish, one by one, `parallel` at a time. Resolves to the saved files in no particular order.
   */
  async fetchManyToFiles(
    cids: readonly string[],
    outPath: (m: BlobManifest) => string | Promise<string>,
    opts: MeshFetchOptions & { parallel?: number } = {},
  ): Promise<{ manifest: BlobManifest; path: string }[]> {
    const saved: { manifest: BlobManifest; path: string }[] = [];
    let rest = [...new Set(cids)];
    const binary = this.#c.binary;
    if (binary) {
      // Group by the first reachable holder each file names; each group is one batch.
      const groups = new Map<string, string[]>();
      for (const cid of rest) {
        const { known } = candidateSources(this.#c.bus, opts.sources ?? this.#c.sourcesOf?.(cid) ?? []);
        if (known.length) groups.set(known[0], [...(groups.get(known[0]) ?? []), cid]);
      }
      const parts = { bus: this.#c.bus, store: this.#c.store, binary };
      const left = new Set(rest);
      for (const [source, group] of groups) {
        const r = await fetchSmallFiles(parts, source, group, outPath, opts.signal);
        saved.push(...r.saved);
        for (const s of r.saved) left.delete(s.manifest.cid);
      }
      rest = [...left];
    }
    let next = 0;
    const lane = async () => {
      while (next < rest.length) saved.push(await this.fetchToFile(rest[next++], outPath, opts));
    };
    await Promise.all(Array.from({ length: Math.min(opts.parallel ?? 8, rest.length) }, lane));
    return saved;
  }

  #fetch(manifestCid: string, opts: MeshFetchOptions): Promise<BlobManifest> {
    // A second call for the same blob joins the first.
    const running = this.#active.get(manifestCid);
    if (running) return running.promise;
    const tm = createMeshTransfer(
      this.#c.bus,
      this.#c.store,
      manifestCid,
      this.#init,
      this.#c.binary,
      this.#into(manifestCid),
    );
    const { known, others } = candidateSources(this.#c.bus, opts.sources ?? this.#c.sourcesOf?.(manifestCid) ?? []);
    const run = (sources: string[]) =>
      tm.fetchBlob(manifestCid, { sources, onProgress: opts.onProgress, signal: opts.signal });
    const promise = (async () => {
      if (!known.length) return run(others.length ? others : [MESH_SOURCE]);
      try {
        return await run(known);
      } catch (err) {
        // The holders that advertised it are gone (a stopped node stays in the registry for a
        // while) or failed: every other reachable neighbour is asked next, since one that fetched
        // the file serves it too. What already arrived is kept, so this resumes.
        if (!(err instanceof BlobError && err.code === 'not_found') || !others.length || opts.signal?.aborted)
          throw err;
        return run(others);
      }
    })().finally(() => this.#active.delete(manifestCid));
    this.#active.set(manifestCid, { tm, promise });
    return promise;
  }

  /** Imports a local file (streamed, one chunk in memory); see `addFile`. */
  addFile(path: string, opts: AddFileOptions = {}): Promise<BlobManifest> {
    return addFile(this.#c.store, path, opts);
  }

  /** Imports many local files with one round of fsyncs; see `addFiles`. */
  addFiles(paths: readonly string[], opts: Pick<AddFileOptions, 'pin' | 'signal'> = {}): Promise<BlobManifest[]> {
    return addFiles(this.#c.store, paths, opts);
  }
}

/** One-off form of FileClient.fetch: pulls `manifestCid` from `sources` (node ids) into `store`. */
export function fetchFromMesh(
  bus: CapabilityBus,
  manifestCid: string,
  opts: MeshFetchOptions & { store: BlobStore; transfer?: TransferInit },
): Promise<BlobManifest> {
  const tm = createMeshTransfer(bus, opts.store, manifestCid, opts.transfer);
  return tm.fetchBlob(manifestCid, {
    sources: resolveSources(bus, opts.sources ?? []),
    onProgress: opts.onProgress,
    signal: opts.signal,
  });
}

/**
 * A TransferManager for one blob whose manifest and chunk requests are file.read calls, each
 * addressed to one source through the `node_id` param (MESH_SOURCE: routed by the bus).
 */
export function createMeshTransfer(
  bus: CapabilityBus,
  store: BlobStore,
  manifestCid: string,
  init: TransferInit = {},
  binary?: BinaryChunkFetcher,
  into?: PackStreamer,
): TransferManager {
  const call = (source: string, body: Record<string, unknown>, signal: AbortSignal) =>
    bus.call('file.read', [1, 0], body, { params: params(source), signal, idempotent: true });
  const params = (source: string) => (source === MESH_SOURCE ? null : { node_id: source });
  return new TransferManager(
    {
      store,
      fetchChunks: (source, chunks, signal) =>
        binary && source !== MESH_SOURCE
          ? binaryChunks(binary, source, manifestCid, chunks, signal)
          : streamChunks(bus, params(source), manifestCid, chunks, signal),
      fetchChunksInto: into,
      fetchManifest: async (source, cid, signal) =>
        ((await call(source, { cid }, signal)) as { manifest?: unknown }).manifest,
      fetchChunk: async (source, chunkCid, signal) => {
        const r = (await call(source, { cid: manifestCid, chunk_cid: chunkCid }, signal)) as Partial<FileChunkData>;
        return decodeChunk(r, chunkCid);
      },
    },
    init,
  );
}

/** One streamed file.read for a batch of chunks (by index): yields each chunk as its frame arrives. */
async function* streamChunks(
  bus: CapabilityBus,
  params: Record<string, string> | null,
  manifestCid: string,
  chunks: readonly WantedChunk[],
  signal: AbortSignal,
): AsyncGenerator<ReceivedChunk> {
  const body = { cid: manifestCid, chunks: chunks.map((c) => c.index) };
  for await (const f of bus.stream('file.read', [1, 0], body, { params, signal, idempotent: true })) {
    if (f.event !== 'chunk') continue;
    const d = f.data as Partial<FileChunkData>;
    yield { cid: String(d.cid), data: decodeChunk(d, String(d.cid)) };
  }
}

/** Chunks of a batch over the binary path, mapped back to their CIDs (the transfer verifies them). */
async function* binaryChunks(
  binary: BinaryChunkFetcher,
  source: string,
  manifestCid: string,
  chunks: readonly WantedChunk[],
  signal: AbortSignal,
): AsyncGenerator<ReceivedChunk> {
  const cidOf = new Map(chunks.map((c) => [c.index, c.cid]));
  for await (const r of binary(source, { cid: manifestCid, chunks: chunks.map((c) => c.index) }, signal)) {
    const cid = cidOf.get(r.index);
    if (cid) yield { cid, data: r.data };
  }
}

/** The bytes of a chunk answer (length and hash are checked by the transfer). */
function decodeChunk(r: Partial<FileChunkData>, chunkCid: string): Uint8Array {
  if (typeof r.data_b64 !== 'string') throw new BlobError('not_found', `The neighbour sent no data for ${chunkCid}.`);
  if (r.data_b64.length > DATA_B64_MAX_LENGTH)
    throw new BlobError('hash_mismatch', `The neighbour sent too much data for ${chunkCid}.`);
  const b = Buffer.from(r.data_b64, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Known sources the bus can reach with file.read; MESH_SOURCE when none. */
function resolveSources(bus: CapabilityBus, wanted: readonly string[]): string[] {
  const { known } = candidateSources(bus, wanted);
  return known.length ? known : [MESH_SOURCE];
}

/**
 * Whom to ask: `known` = the wanted holders (usually those that advertised the file) the bus can
 * reach; `others` = every other neighbour offering file.read (asked when the known ones fail).
 */
function candidateSources(bus: CapabilityBus, wanted: readonly string[]): { known: string[]; others: string[] } {
  const reachable = [
    ...new Set(
      bus.registry
        .find('file.read', [1, 0])
        .filter((e) => !e.is_local && e.node_id !== bus.nodeId)
        .map((e) => e.node_id as string),
    ),
  ].sort();
  const known = [...new Set(wanted)].filter((s) => reachable.includes(s));
  return { known, others: reachable.filter((s) => !known.includes(s)) };
}

export interface AddFileOptions {
  /** Default: the file's base name. */
  readonly filename?: string;
  /** Default: guessed from the extension (null when unknown). */
  readonly mimeType?: string | null;
  readonly pin?: boolean;
  readonly onProgress?: (p: ByteProgress) => void;
  readonly signal?: AbortSignal;
}

const MIME_BY_EXT: Readonly<Record<string, string>> = {
  '.pdf': 'application/pdf',
  '.md': 'text/markdown',
  '.markdown': 'text/markdown',
  '.txt': 'text/plain',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.json': 'application/json',
  '.csv': 'text/csv',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.mp3': 'audio/mpeg',
  '.mp4': 'video/mp4',
  '.zip': 'application/zip',
  '.gguf': 'application/octet-stream',
};

/** MIME type for a filename by its extension, or null. */
export function guessMimeType(filename: string): string | null {
  return MIME_BY_EXT[extname(filename).toLowerCase()] ?? null;
}

/**
 * Imports many files (a folder): each hashed where it is, as `addFile` does, but the links,
 * manifests and pins are made durable together at the end (one round of fsyncs, one write of the
 * pin list) instead of ~6 fsyncs per file. Resolves to the manifests in the order of `paths`.
 */
export async function addFiles(
  store: BlobStore,
  paths: readonly string[],
  opts: Pick<AddFileOptions, 'pin' | 'signal'> = {},
): Promise<BlobManifest[]> {
  const out: BlobManifest[] = new Array<BlobManifest>(paths.length);
  try {
    await inLanes([...paths.keys()], FILE_LANES, async (i) => {
      if (opts.signal?.aborted)
        throw new BlobError('cancelled', 'Adding the files was cancelled.', { cause: opts.signal.reason });
      const filename = basename(paths[i]);
      const mimeType = guessMimeType(filename);
      out[i] = await store.importFile(paths[i], { filename, mimeType, durable: false, signal: opts.signal });
    });
    if (opts.pin) await store.pinMany(out.map((m) => m.cid));
  } finally {
    await store.syncBatch();
  }
  return out;
}

/** Imports a file into the store (streamed, progress in bytes); resolves to its manifest (`.cid` is the file's id). */
export async function addFile(store: BlobStore, path: string, opts: AddFileOptions = {}): Promise<BlobManifest> {
  const filename = opts.filename ?? basename(path);
  const m = await store.importFile(path, {
    filename,
    mimeType: opts.mimeType === undefined ? guessMimeType(filename) : opts.mimeType,
    onProgress: opts.onProgress,
    signal: opts.signal,
  });
  if (opts.pin) await store.pin(m.cid);
  return m;
}
