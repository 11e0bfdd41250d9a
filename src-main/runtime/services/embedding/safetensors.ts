/** A minimal safetensors reader: 8-byte LE header length, JSON header, raw little-endian tensors. */
import { openSync, readSync, closeSync, readFileSync } from 'node:fs';
import { EmbeddingError } from './errors';
import type { Unchecked } from '../../../common';

/** Dtypes this reader understands. F16 is widened to Float32Array on load. */
export const SAFETENSORS_DTYPES = ['F32', 'F64', 'I32', 'F16'] as const;
export type SafetensorsDtype = (typeof SAFETENSORS_DTYPES)[number];

const BYTES: Readonly<Record<SafetensorsDtype, number>> = { F32: 4, F64: 8, I32: 4, F16: 2 };
/** Guards against a corrupt length field making us allocate gigabytes for the header. */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export interface TensorInfo {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data_offsets: readonly [number, number];
}

export interface Tensor {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array | Int32Array;
}

function invalid(file: string, why: string): EmbeddingError {
  return new EmbeddingError(
    'model_invalid',
    `The model file ${file} is damaged or not a safetensors file (${why}). Re-download the model.`,
    {
      details: { file },
    },
  );
}

function parseHeader(buf: Uint8Array, file: string): { infos: Map<string, TensorInfo>; dataStart: number } {
  if (buf.length < 8) throw invalid(file, 'file shorter than 8 bytes');
  const n = Number(new DataView(buf.buffer, buf.byteOffset, 8).getBigUint64(0, true));
  if (n <= 1 || n > MAX_HEADER_BYTES || 8 + n > buf.length) throw invalid(file, `header length ${n} out of range`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + n)));
  } catch (cause) {
    throw invalid(file, `header is not JSON: ${(cause as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid(file, 'header is not an object');
  const infos = new Map<string, TensorInfo>();
  for (const [name, v] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const t = v as Unchecked<TensorInfo> | null; // the file's header: checked here
    if (
      typeof t?.dtype !== 'string' ||
      !Array.isArray(t.shape) ||
      !Array.isArray(t.data_offsets) ||
      t.data_offsets.length !== 2
    ) {
      throw invalid(file, `tensor "${name}" has a malformed entry`);
    }
    infos.set(name, t as TensorInfo);
  }
  return { infos, dataStart: 8 + n };
}

/** Reads only the header (cheap: two small reads) to learn names, dtypes and shapes. */
export function readSafetensorsHeader(file: string): Map<string, TensorInfo> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (cause) {
    throw new EmbeddingError('model_missing', `The model file ${file} could not be opened.`, {
      cause,
      details: { file },
    });
  }
  try {
    const len = Buffer.alloc(8);
    readSync(fd, len, 0, 8, 0);
    const n = Number(len.readBigUInt64LE(0));
    if (n <= 1 || n > MAX_HEADER_BYTES) throw invalid(file, `header length ${n} out of range`);
    const all = Buffer.alloc(8 + n);
    const got = readSync(fd, all, 0, 8 + n, 0);
    if (got < 8 + n) throw invalid(file, 'truncated header');
    return parseHeader(new Uint8Array(all.buffer, all.byteOffset, all.length), file).infos;
  } finally {
    closeSync(fd);
  }
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function decode(info: TensorInfo, bytes: Uint8Array, name: string, file: string): Tensor {
  if (!(SAFETENSORS_DTYPES as readonly string[]).includes(info.dtype)) {
    throw invalid(
      file,
      `tensor "${name}" has unsupported dtype ${info.dtype} (supported: ${SAFETENSORS_DTYPES.join(', ')})`,
    );
  }
  const dtype = info.dtype as SafetensorsDtype;
  const count = info.shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== count * BYTES[dtype]) throw invalid(file, `tensor "${name}" size does not match its shape`);
  // Copy into a fresh, aligned buffer: offsets inside the file need not be aligned.
  const copy = bytes.slice().buffer;
  switch (dtype) {
    case 'F32':
      return { dtype, shape: info.shape, data: new Float32Array(copy) };
    case 'F64':
      return { dtype, shape: info.shape, data: new Float64Array(copy) };
    case 'I32':
      return { dtype, shape: info.shape, data: new Int32Array(copy) };
    case 'F16': {
      const dv = new DataView(copy);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(dv.getUint16(i * 2, true));
      return { dtype, shape: info.shape, data: out };
    }
  }
}

/** Parses a whole safetensors buffer into typed arrays. `file` only labels error messages. */
export function parseSafetensors(buf: Uint8Array, file = '<buffer>'): Map<string, Tensor> {
  const { infos, dataStart } = parseHeader(buf, file);
  const out = new Map<string, Tensor>();
  for (const [name, info] of infos) {
    const [a, b] = info.data_offsets;
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < a || dataStart + b > buf.length) {
      throw invalid(file, `tensor "${name}" points outside the file`);
    }
    out.set(name, decode(info, buf.subarray(dataStart + a, dataStart + b), name, file));
  }
  return out;
}

/** Reads and parses a safetensors file from disk. */
export function loadSafetensors(file: string): Map<string, Tensor> {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (cause) {
    throw new EmbeddingError('model_missing', `The model file ${file} could not be read.`, {
      cause,
      details: { file },
    });
  }
  return parseSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.length), file);
}
