/** Parsing and checking a BlobManifest received from outside (a peer, a file on disk). */
import { readFile } from 'node:fs/promises';
import { CHUNK_SIZE_BYTES, type Cid } from '../../common';
import { errnoOf, ioError } from './fs-util';
import { isCid } from './cid';
import { manifestCid, type BlobManifest, type ChunkRef } from './chunker';
import { BlobError } from './errors';

/** Largest chunk size we accept: bounds the memory one chunk in flight may take. */
export const MAX_CHUNK_SIZE_BYTES = 16 * CHUNK_SIZE_BYTES;
/** Longest filename / mime type we accept in a manifest. */
export const MAX_MANIFEST_TEXT_LENGTH = 1024;
/** Largest chunk list we accept (1M chunks = 256 GiB at the default chunk size). */
export const MAX_MANIFEST_CHUNKS = 1 << 20;

const KEYS = ['cid', 'size_bytes', 'chunk_size_bytes', 'chunks', 'mime_type', 'filename'] as const;

function invalid(why: string, details: Record<string, unknown> = {}): BlobError {
  return new BlobError('manifest_invalid', `The file description (manifest) is invalid: ${why}.`, { details });
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function text(v: unknown, field: string): string | null {
  if (v === null) return null;
  if (typeof v !== 'string' || v.length > MAX_MANIFEST_TEXT_LENGTH)
    throw invalid(`${field} must be null or a string of at most ${MAX_MANIFEST_TEXT_LENGTH} characters`);
  return v;
}

/**
 * Checks shape, chunk arithmetic and that `cid` is the hash of the rest; returns a clean copy.
 * Throws BlobError('manifest_invalid'). Unknown fields are refused: the CID covers exactly the
 * known ones, so an extra field could not be verified.
 */
export async function parseManifest(value: unknown, expectedCid?: Cid): Promise<BlobManifest> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('not a JSON object');
  const o = value as Record<string, unknown>;
  const extra = Object.keys(o).filter((k) => !(KEYS as readonly string[]).includes(k));
  if (extra.length) throw invalid(`unknown field(s) ${extra.join(', ')}`);
  if (!isCid(o.cid)) throw invalid('cid is not "blake3:<64 hex>"');
  if (!isCount(o.size_bytes)) throw invalid('size_bytes must be a non-negative integer');
  const cs = o.chunk_size_bytes;
  if (!isCount(cs) || cs === 0 || cs > MAX_CHUNK_SIZE_BYTES)
    throw invalid(`chunk_size_bytes must be an integer from 1 to ${MAX_CHUNK_SIZE_BYTES}`);
  if (!Array.isArray(o.chunks) || o.chunks.length > MAX_MANIFEST_CHUNKS) throw invalid('chunks must be a list');
  const chunks: ChunkRef[] = [];
  let total = 0;
  o.chunks.forEach((c: unknown, i: number) => {
    const r = c as Record<string, unknown> | null;
    if (typeof r !== 'object' || r === null || Object.keys(r).length !== 3)
      throw invalid(`chunk ${i} must have exactly index, cid, size_bytes`);
    if (r.index !== i) throw invalid(`chunk ${i} has index ${String(r.index)}`);
    if (!isCid(r.cid)) throw invalid(`chunk ${i} has a malformed cid`);
    const last = i === (o.chunks as unknown[]).length - 1;
    if (!isCount(r.size_bytes) || r.size_bytes === 0 || r.size_bytes > cs || (!last && r.size_bytes !== cs)) {
      throw invalid(
        `chunk ${i} has size ${String(r.size_bytes)}; every chunk but the last must be exactly ${cs} bytes and none empty`,
      );
    }
    total += r.size_bytes;
    chunks.push({ index: i, cid: r.cid, size_bytes: r.size_bytes });
  });
  if (total !== o.size_bytes) throw invalid(`size_bytes is ${o.size_bytes} but the chunks add up to ${total}`);
  const manifest: BlobManifest = {
    cid: o.cid,
    size_bytes: o.size_bytes,
    chunk_size_bytes: cs,
    chunks,
    mime_type: text(o.mime_type, 'mime_type'),
    filename: text(o.filename, 'filename'),
  };
  const actual = await manifestCid(manifest);
  if (actual !== manifest.cid)
    throw invalid(`its cid ${manifest.cid} does not match its content (${actual})`, { cid: manifest.cid, actual });
  if (expectedCid !== undefined && manifest.cid !== expectedCid) {
    throw invalid(`asked for ${expectedCid} but received ${manifest.cid}`, {
      expected: expectedCid,
      actual: manifest.cid,
    });
  }
  return manifest;
}

/** Reads and checks a stored manifest file: 'not_found' when absent, 'manifest_invalid' when damaged. */
export async function readManifestFile(path: string, cid: Cid): Promise<BlobManifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (errnoOf(err) === 'ENOENT')
      throw new BlobError('not_found', `This device does not hold the file ${cid}.`, { details: { cid } });
    throw ioError(`reading the description of ${cid}`, err);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BlobError('manifest_invalid', `The stored description of ${cid} is damaged.`, {
      cause: err,
      details: { cid },
    });
  }
  return parseManifest(value, cid);
}
