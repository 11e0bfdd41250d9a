/** Content ids (`blake3:<64 hex>`) and the one BLAKE3 hasher (hash-wasm, WASM) behind them. */
import { createBLAKE3, type IHasher } from 'hash-wasm';
import { BlobError, type Cid } from '../../common';

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
    throw new BlobError('manifest_invalid', `${shown} is not a valid ${what}; expected "blake3:" followed by 64 lowercase hex digits.`, {
      details: { cid: typeof value === 'string' ? value.slice(0, 80) : null },
    });
  }
  return value;
}

/** The 64 hex digits of a CID (used for file names). */
export function cidHex(cid: Cid): string {
  return cid.slice(CID_PREFIX.length);
}

let hasherPromise: Promise<IHasher> | null = null;

/**
 * One shared WASM hasher. Each hash runs init/update/digest synchronously with no await in
 * between, so sharing it across concurrent async callers is safe.
 */
function hasher(): Promise<IHasher> {
  hasherPromise ??= createBLAKE3().catch((err: unknown) => {
    hasherPromise = null;
    throw new BlobError('io_error', 'Could not start the BLAKE3 hasher (WebAssembly unavailable?).', { cause: err });
  });
  return hasherPromise;
}

/** `blake3:<hex>` of `data`. */
export async function hashBytes(data: Uint8Array): Promise<Cid> {
  const h = await hasher();
  h.init();
  h.update(data);
  return `${CID_PREFIX}${h.digest('hex')}` as Cid;
}
