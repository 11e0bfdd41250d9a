/** Content ids (`blake3:<64 hex>`) and the one BLAKE3 hasher behind them (native where available, else WASM). */
import { createBLAKE3, type IHasher } from 'hash-wasm';
import { type Cid } from '../../common';
import { BlobError } from './errors';

const CID_RE = /^blake3:[0-9a-f]{64}$/;
export const CID_PREFIX = 'blake3:';

/** True when `value` is a well-formed content id: `blake3:` and 64 lowercase hex digits. */
export function isCid(value: unknown): value is Cid {
  return typeof value === 'string' && CID_RE.test(value);
}

/**
 * Checks a CID from outside (a peer, the UI) before it is used, e.g. as part of a file path.
 * Throws BlobError('manifest_invalid') — the wire sees `bad_request`.
 */
export function assertCid(value: unknown, what = 'content id'): Cid {
  if (!isCid(value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value;
    throw new BlobError(
      'manifest_invalid',
      `${shown} is not a valid ${what}; expected "blake3:" followed by 64 lowercase hex digits.`,
      {
        details: { cid: typeof value === 'string' ? value.slice(0, 80) : null },
      },
    );
  }
  return value;
}

/** The 64 hex digits of a CID (used for file names). */
export function cidHex(cid: Cid): string {
  return cid.slice(CID_PREFIX.length);
}

/** A BLAKE3 implementation: `hex(data)` is the 64 hex digits of BLAKE3(data). */
export interface Blake3Impl {
  readonly kind: 'native' | 'wasm';
  hex(data: Uint8Array): string;
}

/** hash-wasm's BLAKE3: portable (any platform with WebAssembly), ~4x slower than native code. */
export async function wasmBlake3(): Promise<Blake3Impl> {
  const h: IHasher = await createBLAKE3();
  // init/update/digest run with no await in between, so concurrent async callers cannot interleave.
  return { kind: 'wasm', hex: (data) => (h.init(), h.update(data), h.digest('hex')) };
}

/**
 * `@napi-rs/blake-hash`'s BLAKE3 (Rust, SIMD; its prebuilt binaries come from the npm registry as
 * optional per-platform packages), or null where no binary exists for this platform.
 */
export async function nativeBlake3(): Promise<Blake3Impl | null> {
  try {
    const mod = (await import('@napi-rs/blake-hash')) as unknown as {
      blake3?: (d: Uint8Array) => Buffer;
      default?: { blake3?: (d: Uint8Array) => Buffer };
    };
    const fn = mod.blake3 ?? mod.default?.blake3;
    if (typeof fn !== 'function') return null;
    return { kind: 'native', hex: (data) => fn(data).toString('hex') };
  } catch {
    return null;
  }
}

let implPromise: Promise<Blake3Impl> | null = null;

/**
 * The process's hasher: native where a binary loads (HEARTHNET_BLAKE3=wasm forces the fallback,
 * for comparisons), else hash-wasm. Both give the same ids (tests/unit/blobs/hashers.test.ts).
 */
export function blake3Impl(): Promise<Blake3Impl> {
  implPromise ??= (async () =>
    (process.env.HEARTHNET_BLAKE3 === 'wasm' ? null : await nativeBlake3()) ?? (await wasmBlake3()))().catch(
    (err: unknown) => {
      implPromise = null;
      throw new BlobError(
        'io_error',
        'Could not start the BLAKE3 hasher (no native build and WebAssembly unavailable?).',
        { cause: err },
      );
    },
  );
  return implPromise;
}

/** `blake3:<hex>` of `data`. */
export async function hashBytes(data: Uint8Array): Promise<Cid> {
  const h = await blake3Impl();
  return `${CID_PREFIX}${h.hex(data)}` as Cid;
}
