/** Ed25519 verification on libuv's thread pool (node:crypto callback form): parallel, off the event loop. */
import { verify } from 'node:crypto';
import { decodeSignature, publicKeyObjectOf } from '../identity';

/** Same answer as identity's verifyBytes, computed on a pool thread. Never rejects: false on bad input. */
export function verifyBytesAsync(nodeIdFull: string, data: Uint8Array, signature: unknown): Promise<boolean> {
  const sig = decodeSignature(signature);
  if (!sig) return Promise.resolve(false);
  let key;
  try {
    key = publicKeyObjectOf(nodeIdFull);
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => verify(null, data, key, sig, (err, ok) => resolve(!err && ok)));
}
