/** X01 transport: the one HTTP(S) port, signed and pinned peer calls, streams, pubsub. */
export * from './contract';
export {
  generateSelfSignedCert,
  loadOrCreateTlsCert,
  loadNodeTls,
  fingerprintOfDer,
  fingerprintOfPem,
  TLS_CERT_FILE,
  TLS_KEY_FILE,
  TLS_CERT_VALIDITY_DAYS,
  type TlsMaterial,
} from './tls';
export { PinnedCerts, type PinRecord, type PinDecision } from './pinned-certs';
export {
  signRequest,
  signRequestAsync,
  signedRequestBytes,
  RequestVerifier,
  SIGNATURE_WINDOW_MS,
  HEADER_AUTHORIZATION,
  AUTH_SCHEME,
  formatAuthorization,
  parseAuthorization,
  type RequestAuthorization,
  type SignatureFailureReason,
  type SignedRequestFields,
  type RequestVerifierOptions,
} from './request-signing';
export { RateLimiter, type RateCheck, type RateLimiterOptions } from './rate-limit';
export { FlowControl, type FlowControlOptions } from './backpressure';
export {
  SseWriter,
  SseReader,
  SseParser,
  encodeFrame,
  encodeMessage,
  BATCH_EVENT,
  HEADER_STREAM_BATCH,
  type EncodedFrame,
  type SseSink,
} from './streams';
export {
  pumpFrames,
  STREAM_BATCH_MAX_FRAMES,
  STREAM_BATCH_MAX_BYTES,
  STREAM_BATCH_MAX_DELAY_MS,
  type PumpLimits,
} from './stream-pump';
export { MessageLedger } from './message-ledger';
export { PubSubServer, PUBSUB_RETENTION_ITEMS, type PubSubBatch, type PubSubItem } from './pubsub';
export { HttpServer, createHttpServer, DEFAULT_TRANSPORT_PORT, type HttpServerOptions } from './server';
export { SOFT_LIMIT_MAX_DELAY_MS, refusalReason, type SyncEndpoints } from './app';
export { DEFAULT_BODY_LIMIT_BYTES } from './conn-info';
export { newTraceId } from './trace-id';
export { HttpClient, type HttpClientOptions, type SyncChannel } from './client';
export {
  BLOB_CHUNKS_MAX_PER_REQUEST,
  ChunkRecordParser,
  chunkRecordHeader,
  parseBlobChunksRequest,
  type BlobChunksRequest,
  type BlobPieces,
  type BlobEndpoint,
} from './blob-chunks';
