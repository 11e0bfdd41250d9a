/** Signed payloads (§5 of ../shared/spec/hearthnet-reference.md): a `signature` field over canonicalJson of everything else. */
import { canonicalJsonBytes } from '../../common';
import { signBytes, verifyBytes, type KeyPair } from './keys';
import { IdentityError } from './errors';

export type Signed<T> = T & { signature: string };

/** The bytes a signature covers: the payload without its `signature` field. */
export function signedBytesOf(payload: Record<string, unknown>): Uint8Array {
  const { signature: _ignored, ...rest } = payload;
  return canonicalJsonBytes(rest);
}

/** Returns a copy of `payload` with a `signature` field. */
export function signPayload<T extends Record<string, unknown>>(payload: T, kp: KeyPair): Signed<T> {
  try {
    return { ...payload, signature: signBytes(kp, signedBytesOf(payload)) };
  } catch (err) {
    throw new IdentityError('sign_failed', `could not sign payload: ${(err as Error).message}`, { cause: err });
  }
}

/** True when `payload.signature` is a valid signature by `nodeIdFull` over the rest of the payload. */
export function verifyPayload(payload: unknown, nodeIdFull: string): boolean {
  // Peers send these: the type cannot promise an object.
  if (!payload || typeof payload !== 'object') return false;
  const record = payload as Record<string, unknown>;
  let bytes: Uint8Array;
  try {
    bytes = signedBytesOf(record);
  } catch {
    return false;
  }
  return verifyBytes(nodeIdFull, bytes, record.signature);
}

/** The reference's `verify_payload_with_node_id`. */
export const verifyPayloadWithNodeId = verifyPayload;
