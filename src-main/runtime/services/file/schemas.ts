/** JSON Schemas (draft-07, ajv) of file.read / file.list / file.advertise / file.put @1.0 (docs/protocol/files.md). */
import { MAX_CHUNK_SIZE_BYTES } from '../../blobs';

const CID = { type: 'string', pattern: '^blake3:[0-9a-f]{64}$' } as const;
/** Longest base64 of one chunk (4 characters per 3 bytes, padded). */
export const DATA_B64_MAX_LENGTH = Math.ceil(MAX_CHUNK_SIZE_BYTES / 3) * 4;
/**
 * base64 of one chunk. No `maxLength` here: ajv checks it by counting code points one by one
 * (~0.1 ms per 100 KB, on both sides of every chunk); the transport's body limit bounds the
 * string, and the decoded bytes are checked against the manifest's length and CID.
 */
const DATA_B64 = { type: 'string' } as const;
const INDEX = { type: 'integer', minimum: 0 } as const;
/** Most CIDs one file.advertise call may name. */
export const FILE_ADVERTISE_MAX_CIDS = 256;
/** Most blobs one file.list answer carries. */
export const FILE_LIST_MAX = 1000;

/** The manifest as stored (checked in full by parseManifest; the schema only bounds its shape). */
const MANIFEST = {
  type: 'object',
  required: ['cid', 'size_bytes', 'chunk_size_bytes', 'chunks', 'mime_type', 'filename'],
  properties: {
    cid: CID,
    size_bytes: { type: 'integer', minimum: 0 },
    chunk_size_bytes: { type: 'integer', minimum: 1 },
    chunks: { type: 'array', items: { type: 'object', required: ['index', 'cid', 'size_bytes'] } },
    mime_type: { type: ['string', 'null'] },
    filename: { type: ['string', 'null'] },
  },
} as const;

/** One chunk's bytes: a unary file.read answer, and the data of a `chunk` stream frame. */
const CHUNK_DATA = {
  type: 'object',
  additionalProperties: false,
  required: ['index', 'cid', 'size_bytes', 'data_b64'],
  properties: { index: INDEX, cid: CID, size_bytes: { type: 'integer', minimum: 1 }, data_b64: DATA_B64 },
} as const;

/** Most chunk indices one batched file.read may name. */
export const FILE_READ_MAX_BATCH = 256;

/** Most manifests one file.read `{manifests}` call may ask for. */
export const FILE_READ_MAX_MANIFESTS = 256;

export const FILE_READ_REQUEST_SCHEMA = {
  $id: 'hearthnet:file.read@1.0/request',
  type: 'object',
  additionalProperties: false,
  properties: {
    cid: CID,
    chunk: INDEX,
    chunk_cid: CID,
    chunks: { type: 'array', minItems: 1, maxItems: FILE_READ_MAX_BATCH, items: INDEX },
    manifests: { type: 'array', minItems: 1, maxItems: FILE_READ_MAX_MANIFESTS, items: CID },
  },
  // `cid` (with at most one of chunk / chunk_cid / chunks), or `manifests` alone.
  oneOf: [{ required: ['cid'] }, { required: ['manifests'] }],
  not: {
    anyOf: [
      { required: ['chunk', 'chunk_cid'] },
      { required: ['chunk', 'chunks'] },
      { required: ['chunk_cid', 'chunks'] },
    ],
  },
} as const;

export const FILE_READ_RESPONSE_SCHEMA = {
  $id: 'hearthnet:file.read@1.0/response',
  oneOf: [
    { type: 'object', additionalProperties: false, required: ['manifest'], properties: { manifest: MANIFEST } },
    {
      type: 'object',
      additionalProperties: false,
      required: ['manifests'],
      properties: { manifests: { type: 'array', maxItems: FILE_READ_MAX_MANIFESTS, items: MANIFEST } },
    },
    CHUNK_DATA,
  ],
} as const;

/** Data of each `chunk` frame of a streamed file.read (the `manifest` frame is a control frame). */
export const FILE_READ_STREAM_SCHEMA = { $id: 'hearthnet:file.read@1.0/stream', ...CHUNK_DATA } as const;

export const FILE_LIST_REQUEST_SCHEMA = {
  $id: 'hearthnet:file.list@1.0/request',
  type: 'object',
  additionalProperties: false,
  properties: {
    prefix: { type: 'string', pattern: '^(blake3:)?[0-9a-f]{0,64}$' },
    limit: { type: 'integer', minimum: 1, maximum: FILE_LIST_MAX },
  },
} as const;

export const FILE_LIST_RESPONSE_SCHEMA = {
  $id: 'hearthnet:file.list@1.0/response',
  type: 'object',
  additionalProperties: false,
  required: ['blobs', 'truncated'],
  properties: {
    blobs: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['cid', 'filename', 'mime_type', 'size_bytes', 'pinned'],
        properties: {
          cid: CID,
          filename: { type: ['string', 'null'] },
          mime_type: { type: ['string', 'null'] },
          size_bytes: { type: 'integer', minimum: 0 },
          pinned: { type: 'boolean' },
        },
      },
    },
    truncated: { type: 'boolean' },
  },
} as const;

export const FILE_ADVERTISE_REQUEST_SCHEMA = {
  $id: 'hearthnet:file.advertise@1.0/request',
  type: 'object',
  additionalProperties: false,
  required: ['cids'],
  properties: { cids: { type: 'array', minItems: 1, maxItems: FILE_ADVERTISE_MAX_CIDS, items: CID } },
} as const;

export const FILE_ADVERTISE_RESPONSE_SCHEMA = {
  $id: 'hearthnet:file.advertise@1.0/response',
  type: 'object',
  required: ['event_id', 'blobs'],
  properties: { event_id: { type: 'string' }, blobs: { type: 'array' } },
} as const;

/**
 * file.put: exactly one of three steps per call — open ({manifest}), write a chunk
 * ({cid, chunk_index, data_b64}), or finish ({cid, complete: true, pin?}).
 */
export const FILE_PUT_REQUEST_SCHEMA = {
  $id: 'hearthnet:file.put@1.0/request',
  oneOf: [
    { type: 'object', additionalProperties: false, required: ['manifest'], properties: { manifest: MANIFEST } },
    {
      type: 'object',
      additionalProperties: false,
      required: ['cid', 'chunk_index', 'data_b64'],
      properties: { cid: CID, chunk_index: INDEX, data_b64: DATA_B64 },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['cid', 'complete'],
      properties: { cid: CID, complete: { const: true }, pin: { type: 'boolean' } },
    },
  ],
} as const;

/** Every file.put step answers with the upload's state. */
export const FILE_PUT_RESPONSE_SCHEMA = {
  $id: 'hearthnet:file.put@1.0/response',
  type: 'object',
  additionalProperties: false,
  required: ['cid', 'state', 'missing', 'done_chunks', 'total_chunks', 'bytes', 'total_bytes'],
  properties: {
    cid: CID,
    state: { enum: ['open', 'complete'] },
    missing: { type: 'array', items: INDEX },
    done_chunks: { type: 'integer', minimum: 0 },
    total_chunks: { type: 'integer', minimum: 0 },
    bytes: { type: 'integer', minimum: 0 },
    total_bytes: { type: 'integer', minimum: 0 },
    stored: { type: 'boolean' },
    pinned: { type: 'boolean' },
  },
} as const;

/** Wire shapes. */
export interface FileChunkData {
  index: number;
  cid: string;
  size_bytes: number;
  data_b64: string;
}
export interface FileListEntry {
  cid: string;
  filename: string | null;
  mime_type: string | null;
  size_bytes: number;
  pinned: boolean;
}
export interface FilePutState {
  cid: string;
  state: 'open' | 'complete';
  missing: number[];
  done_chunks: number;
  total_chunks: number;
  bytes: number;
  total_bytes: number;
  stored?: boolean;
  pinned?: boolean;
}
