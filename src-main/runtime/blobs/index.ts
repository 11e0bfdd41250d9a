/** M07 blobs: content-addressed chunks, the blob store, and multi-source resumable transfer. */
export { BLOB_ERROR_CODES, BlobError, type BlobErrorCode } from './errors';
export { hashBytes, isCid, assertCid, CID_PREFIX, blake3Impl, nativeBlake3, wasmBlake3, type Blake3Impl } from './cid';
export {
  buildManifest,
  chunkBlob,
  chunkFile,
  manifestCid,
  reassemble,
  verifyChunk,
  type BlobManifest,
  type BlobMeta,
  type ByteProgress,
  type ChunkFileOptions,
  type ChunkRef,
  type UnaddressedManifest,
} from './chunker';
export { parseManifest, MAX_CHUNK_SIZE_BYTES, MAX_MANIFEST_CHUNKS, MAX_MANIFEST_TEXT_LENGTH } from './manifest';
export { DISK_SAFETY_MARGIN_BYTES, statfsUsage, usedFraction, type DiskUsage, type DiskUsageFn } from './disk';
export {
  BlobStore,
  GC_TARGET_FRACTION,
  READ_BLOB_BYTES_MAX,
  type BlobStoreOptions,
  type ImportOptions,
  type WriteChunkOptions,
} from './store';
export { FileAssembly, type ExportOptions } from './export';
export {
  TransferManager,
  TRANSFER_CONCURRENCY,
  TRANSFER_BATCH_CHUNKS,
  TRANSFER_STREAMS,
  SOURCE_MAX_CONSECUTIVE_FAILURES,
  CHUNK_MAX_ATTEMPTS,
  CHUNK_TIMEOUT_MS,
  type FetchOptions,
  type TransferComponents,
  type TransferInit,
  type TransferProgress,
} from './transfer';
export type { ChunkSink, ChunkStreamer, PackStreamer, ReceivedChunk, WantedChunk, WrittenChunk } from './fetch-workers';
export type { PackWriter } from './packs';
export { ReceiverThreads, RECEIVER_THREADS_MAX, type ReceiveEvent } from './receiver-threads';
export type { OutgoingRequest, ThreadPiece } from './receiver-types';
export type { AdvertisedBlob, FileCidAdvertisedData, FileCidUnpinnedData } from './events';
