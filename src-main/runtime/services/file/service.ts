/**
 * M07 §4.1 of ../shared/spec/hearthnet-reference.md: the file service — serves this node's blobs to the mesh (file.read, file.list),
 * announces them (file.advertise) and accepts uploads (file.put).
 */
import { promiseTry, type Cid, type EventType } from '../../../common';
import { assertCid, TransferManager, type BlobManifest, type BlobStore, type ChunkRef } from '../../blobs';
import { defineCapability, type CapabilityDescriptor, type HandlerContext } from '../../bus';
import type { Event } from '../../events';
import type { FrameData } from '../../transport/contract';
import type { BlobChunksRequest } from '../../transport/blob-chunks';
import type { Service, ServiceCapability } from '../base';
import * as S from './schemas';
import { ManifestCache } from './manifest-cache';
import { UploadSessions, UPLOAD_IDLE_TIMEOUT_MS } from './upload';
import { BlobError } from '../../blobs';

/** Concurrent file.read calls one node serves (each holds at most one chunk in memory). */
export const FILE_READ_MAX_CONCURRENT = 16;
/** Chunk reads a binary chunk stream keeps in flight ahead of the one being sent (memory: this many chunks per stream). */
export const SERVE_READ_AHEAD = 3;
/** Concurrent file.put calls one node serves. */
export const FILE_PUT_MAX_CONCURRENT = 8;

export interface FileServiceComponents {
  readonly store: BlobStore;
  /** Appends a signed local event (the node binds eventLog.appendLocal to its key). */
  readonly appendEvent: (type: EventType, data: Record<string, unknown>) => Event | Promise<Event>;
  /** Full node id: offered as the `node_id` param so callers can address this node's blobs. */
  readonly ourNodeId: string;
}

export interface FileServiceInit {
  readonly uploadIdleMs?: number;
}

type Body = Record<string, unknown>;

/**
 * Lifecycle: stateless but for open uploads; `stop()` releases their gc holds (the partial
 * uploads stay on disk and resume on the next open). The composition root registers it with
 * `bus.registerService(fileService)`.
 */
export class FileService implements Service {
  readonly name = 'file';
  readonly version = '1.0';
  readonly #c: FileServiceComponents;
  readonly #uploads: UploadSessions;
  readonly #advertiser: TransferManager;
  readonly #caps: ServiceCapability[];
  readonly #manifests: ManifestCache;
  #unlisten: (() => void) | null = null;

  constructor(components: FileServiceComponents, init: FileServiceInit = {}) {
    this.#c = components;
    this.#manifests = new ManifestCache(components.store);
    this.#uploads = new UploadSessions(components.store, init.uploadIdleMs ?? UPLOAD_IDLE_TIMEOUT_MS);
    const never = () => Promise.reject(new BlobError('not_found', 'The file service does not fetch.'));
    // Only its advertise() is used: the one definition of the file.cid.advertised data.
    this.#advertiser = new TransferManager({ store: components.store, fetchChunk: never, fetchManifest: never });
    const params = { node_id: components.ourNodeId };
    const cap = (
      d: CapabilityDescriptor,
      handler: (ctx: HandlerContext) => Promise<unknown> | AsyncIterable<FrameData>,
    ): ServiceCapability => ({ descriptor: d, handler });
    this.#caps = [
      cap(
        defineCapability({
          name: 'file.read',
          version: [1, 0],
          stability: 'beta',
          params,
          idempotent: true,
          max_concurrent: FILE_READ_MAX_CONCURRENT,
          request_schema: S.FILE_READ_REQUEST_SCHEMA,
          response_schema: S.FILE_READ_RESPONSE_SCHEMA,
          stream_schema: S.FILE_READ_STREAM_SCHEMA,
        }),
        (ctx) => this.#read(ctx),
      ),
      cap(
        defineCapability({
          name: 'file.list',
          version: [1, 0],
          stability: 'beta',
          params,
          idempotent: true,
          request_schema: S.FILE_LIST_REQUEST_SCHEMA,
          response_schema: S.FILE_LIST_RESPONSE_SCHEMA,
        }),
        (ctx) => this.#list(ctx.body as Body),
      ),
      cap(
        defineCapability({
          name: 'file.advertise',
          version: [1, 0],
          stability: 'beta',
          params,
          request_schema: S.FILE_ADVERTISE_REQUEST_SCHEMA,
          response_schema: S.FILE_ADVERTISE_RESPONSE_SCHEMA,
        }),
        (ctx) => this.#advertise(ctx.body as Body),
      ),
      cap(
        defineCapability({
          name: 'file.put',
          version: [1, 0],
          stability: 'beta',
          params,
          trust_required: 'trusted',
          max_concurrent: FILE_PUT_MAX_CONCURRENT,
          request_schema: S.FILE_PUT_REQUEST_SCHEMA,
          response_schema: S.FILE_PUT_RESPONSE_SCHEMA,
        }),
        (ctx) => this.#put(ctx),
      ),
    ];
  }

  capabilities(): ServiceCapability[] {
    return this.#caps;
  }

  async start(): Promise<void> {
    await this.#c.store.start();
    // A shared file the user changed or removed: neighbours should stop asking this device for it.
    this.#unlisten ??= this.#c.store.onBlobLost((cid) => {
      void Promise.resolve(this.#c.appendEvent('file.cid.unpinned', { cids: [cid] })).catch(() => undefined);
    });
  }

  stop(): Promise<void> {
    return promiseTry(() => {
      this.#unlisten?.();
      this.#unlisten = null;
      this.#uploads.closeAll();
    });
  }

  health(): Record<string, unknown> {
    return { ok: true, open_uploads: this.#uploads.size, stored_bytes: this.#c.store.totalBytes() };
  }

  /** file.cid.advertised for blobs held in full ('not_found' names one that is not); resolves to the event. */
  async advertise(cids: readonly string[]): Promise<Event> {
    const data = await this.#advertiser.advertise(cids);
    return this.#c.appendEvent('file.cid.advertised', { blobs: data.blobs.map((b) => ({ ...b })) });
  }

  /**
   * The binary chunk path (transport `POST /blobs/v1/chunks`): the requested pieces this node
   * holds, in request order; pieces it lacks or finds damaged are skipped. One blob's pieces are
   * numbered by chunk index; pieces of many blobs (`blobs`: many small files in one request) by
   * their position in the request. Up to SERVE_READ_AHEAD reads run ahead of the one being sent,
   * so the disk (or page cache) and the socket work at the same time instead of in turn.
   */
  async *serveChunks(
    _caller: string,
    req: BlobChunksRequest,
    signal: AbortSignal,
  ): AsyncGenerator<{ index: number; data: Uint8Array }> {
    const wanted: { record: number; cid: Cid; index: number }[] = [];
    if ('blobs' in req) {
      for (const b of req.blobs) {
        const cid = assertCid(b.cid, 'file id');
        for (const index of b.chunks) wanted.push({ record: wanted.length, cid, index });
      }
    } else {
      const cid = assertCid(req.cid, 'file id');
      for (const index of new Set(req.chunks)) wanted.push({ record: index, cid, index });
    }
    const read = async (w: (typeof wanted)[number]): Promise<Uint8Array | null> => {
      try {
        const ref = await this.#manifests.chunkRef(w.cid, w.index, undefined);
        return await this.#c.store.readChunkForPeer(ref.cid); // re-hashed once per process; the receiver verifies it
      } catch (err) {
        if (err instanceof BlobError && (err.code === 'not_found' || err.code === 'hash_mismatch')) return null;
        throw err;
      }
    };
    const ahead: Promise<Uint8Array | null>[] = [];
    let next = 0;
    const fill = () => {
      while (ahead.length < SERVE_READ_AHEAD && next < wanted.length) {
        const p = read(wanted[next++]);
        p.catch(() => undefined); // awaited below in order; never an unhandled rejection meanwhile
        ahead.push(p);
      }
    };
    for (const w of wanted) {
      if (signal.aborted) return;
      fill();
      const data = await ahead.shift(); // fill() queued one read per wanted piece
      if (data) yield { index: w.record, data };
    }
  }

  // ---- handlers ----

  async #read(ctx: HandlerContext): Promise<unknown> {
    const b = ctx.body as Body;
    const store = this.#c.store;
    if (Array.isArray(b.manifests)) {
      // Many small files at once: the manifests of the complete blobs held here (others omitted).
      const cids = [...new Set(b.manifests as string[])];
      const found = await Promise.all(
        cids.map((c) => this.#manifestIfWhole(c)), // at most FILE_READ_MAX_MANIFESTS: the thread pool queues them
      );
      const manifests = found.filter((m) => m !== null);
      if (ctx.stream) throw new BlobError('manifest_invalid', 'Ask for "manifests" without stream.');
      return { manifests };
    }
    const cid = assertCid(b.cid, 'file id');
    if (Array.isArray(b.chunks)) {
      if (!ctx.stream)
        throw new BlobError(
          'manifest_invalid',
          'A batch of pieces ("chunks") is sent as a stream: call file.read with stream.',
        );
      const refs = [];
      // Resolved before the stream starts: an unknown blob or index fails the call, so the bus can fail over.
      for (const i of new Set(b.chunks as number[])) refs.push(await this.#manifests.chunkRef(cid, i, undefined));
      const held = [];
      for (const r of refs) if (await store.has(r.cid)) held.push(r);
      if (!held.length)
        throw new BlobError('not_found', `This device holds none of the ${refs.length} pieces of ${cid} asked for.`, {
          details: { cid },
        });
      return this.#streamChunks(held, ctx.signal);
    }
    if (b.chunk === undefined && b.chunk_cid === undefined) {
      if (ctx.stream) return this.#streamBlob(await store.readManifest(cid), ctx.signal);
      return { manifest: await store.readManifest(cid) };
    }
    const ref = await this.#manifests.chunkRef(cid, b.chunk as number | undefined, b.chunk_cid as string | undefined);
    const out = chunkData(ref, await store.readChunk(ref.cid));
    return ctx.stream ? one({ event: 'chunk', data: { ...out } }) : out;
  }

  /** The manifest, then one `chunk` frame per chunk, read one at a time (memory stays at one chunk). */
  async *#streamBlob(m: BlobManifest, signal: AbortSignal): AsyncGenerator<FrameData> {
    yield { event: 'manifest', data: { ...m } };
    for (const ref of m.chunks) {
      if (signal.aborted) return;
      yield { event: 'chunk', data: { ...chunkData(ref, await this.#c.store.readChunk(ref.cid)) } };
    }
  }

  /** A complete blob's manifest, or null when this node does not hold all of it. */
  async #manifestIfWhole(cid: string): Promise<BlobManifest | null> {
    return (await this.#c.store.hasBlob(cid)) ? this.#c.store.readManifest(cid) : null;
  }

  /**
   * One `chunk` frame per requested index, read (and verified) one at a time. A piece this node
   * lacks or finds damaged is skipped, not an error: the fetcher asks another holder for it.
   */
  async *#streamChunks(refs: readonly ChunkRef[], signal: AbortSignal): AsyncGenerator<FrameData> {
    for (const ref of refs) {
      if (signal.aborted) return;
      let data: Uint8Array;
      try {
        data = await this.#c.store.readChunkForPeer(ref.cid); // re-hashed once per process; the receiver verifies it
      } catch (err) {
        if (err instanceof BlobError && (err.code === 'not_found' || err.code === 'hash_mismatch')) continue;
        throw err;
      }
      yield { event: 'chunk', data: { ...chunkData(ref, data) } };
    }
  }

  async #list(b: Body): Promise<{ blobs: S.FileListEntry[]; truncated: boolean }> {
    const store = this.#c.store;
    const prefix = typeof b.prefix === 'string' ? b.prefix : undefined;
    const limit = typeof b.limit === 'number' ? b.limit : S.FILE_LIST_MAX;
    const wanted = new Set(await store.listCids(prefix));
    const all = (await store.listBlobs()).filter((m) => wanted.has(m.cid));
    const blobs: S.FileListEntry[] = [];
    for (const m of all.slice(0, limit)) {
      blobs.push({
        cid: m.cid,
        filename: m.filename,
        mime_type: m.mime_type,
        size_bytes: m.size_bytes,
        pinned: await store.isPinned(m.cid),
      });
    }
    return { blobs, truncated: all.length > limit };
  }

  async #advertise(b: Body): Promise<Record<string, unknown>> {
    const e = await this.advertise(b.cids as string[]);
    return { event_id: e.event_id, blobs: e.data.blobs };
  }

  async #put(ctx: HandlerContext): Promise<unknown> {
    const b = ctx.body as Body;
    let state: S.FilePutState;
    if (b.manifest !== undefined) {
      state = await this.#uploads.open(b.manifest);
    } else if (b.complete === true) {
      state = await this.#uploads.complete(assertCid(b.cid, 'file id'), b.pin === true);
    } else {
      state = await this.#uploads.writeChunk(
        assertCid(b.cid, 'file id'),
        b.chunk_index as number,
        Buffer.from(b.data_b64 as string, 'base64'),
      );
    }
    if (!ctx.stream) return state;
    // eslint-disable-next-line @typescript-eslint/require-await -- an async generator is the plain way to make these two frames a stream
    return (async function* () {
      yield { event: 'progress' as const, data: { ...state } };
      yield { event: 'done' as const, data: { ...state } };
    })();
  }
}

function chunkData(ref: ChunkRef, data: Uint8Array): S.FileChunkData {
  return {
    index: ref.index,
    cid: ref.cid,
    size_bytes: ref.size_bytes,
    data_b64: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
  };
}

// eslint-disable-next-line @typescript-eslint/require-await -- an async generator is the plain way to make a one-frame stream
async function* one(frame: FrameData): AsyncGenerator<FrameData> {
  yield frame;
}
