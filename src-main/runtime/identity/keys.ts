/**
 * Ed25519 key pairs (§5 of ../shared/spec/hearthnet-reference.md keys.py): generate, load, save, sign, verify.
 * Signing and verifying go through node:crypto (fastest here); @noble/curves gives
 * byte-identical signatures and is used where node:crypto is not available (tests prove they agree).
 */
import {
  createPrivateKey,
  createPublicKey,
  randomBytes,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { type NodeId, type Signature } from '../../common';
import { fromBase64Url, fullNodeId, parseNodeId, shortNodeId, toBase64Url } from './node-id';
import { IdentityError } from './errors';

/** DER prefixes that turn a raw 32-byte ed25519 seed / public key into PKCS#8 / SPKI. */
export const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
export const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const SIG_PREFIX = 'ed25519:';

export interface KeyPair {
  /** 32-byte seed. Never logged, never sent. */
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly nodeIdFull: NodeId;
  readonly nodeIdShort: NodeId;
  /** node:crypto handle of the secret key (hot path). */
  readonly privateKeyObject: KeyObject;
}

export function keyPairFromSeed(seed: Uint8Array): KeyPair {
  if (seed.length !== 32) throw new IdentityError('keys_invalid', `secret key must be 32 bytes, got ${seed.length}`);
  const privateKeyObject = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKeyObject).export({ format: 'der', type: 'spki' });
  const publicKey = new Uint8Array(spki.subarray(SPKI_PREFIX.length));
  return Object.freeze({
    secretKey: new Uint8Array(seed),
    publicKey,
    nodeIdFull: fullNodeId(publicKey),
    nodeIdShort: shortNodeId(publicKey),
    privateKeyObject,
  });
}

export function generateKeyPair(): KeyPair {
  return keyPairFromSeed(new Uint8Array(randomBytes(32)));
}

const publicKeyCache = new Map<string, KeyObject>();
const PUBLIC_KEY_CACHE_MAX = 4096;

const publicKeyBytesCache = new Map<string, Uint8Array>();

/** Drops the first-inserted entry of a Map used as a bounded cache. */
function evictOldest(cache: Map<string, unknown>): void {
  const oldest = cache.keys().next();
  if (oldest.done !== true) cache.delete(oldest.value);
}

/** The 32 public-key bytes of a full node id, cached (signature checks off the event loop need them). */
export function publicKeyBytesOf(nodeIdFull: string): Uint8Array {
  let key = publicKeyBytesCache.get(nodeIdFull);
  if (!key) {
    key = parseNodeId(nodeIdFull);
    if (publicKeyBytesCache.size >= PUBLIC_KEY_CACHE_MAX) evictOldest(publicKeyBytesCache);
    publicKeyBytesCache.set(nodeIdFull, key);
  }
  return key;
}

/** node:crypto public key for a full node id, cached (verification is the hot path of sync). */
export function publicKeyObjectOf(nodeIdFull: string): KeyObject {
  let key = publicKeyCache.get(nodeIdFull);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, parseNodeId(nodeIdFull)]), format: 'der', type: 'spki' });
    if (publicKeyCache.size >= PUBLIC_KEY_CACHE_MAX) evictOldest(publicKeyCache);
    publicKeyCache.set(nodeIdFull, key);
  }
  return key;
}

export function encodeSignature(sig: Uint8Array): Signature {
  return (SIG_PREFIX + toBase64Url(sig)) as Signature;
}

/** Raw 64 signature bytes, or null when the text is not an ed25519 signature. */
export function decodeSignature(sig: unknown): Uint8Array | null {
  if (typeof sig !== 'string' || !sig.startsWith(SIG_PREFIX)) return null;
  try {
    const bytes = fromBase64Url(sig.slice(SIG_PREFIX.length));
    return bytes.length === 64 ? bytes : null;
  } catch {
    return null;
  }
}

/** Sign raw bytes with node:crypto. */
export function signBytes(kp: KeyPair, data: Uint8Array): Signature {
  return encodeSignature(new Uint8Array(nodeSign(null, data, kp.privateKeyObject)));
}

/** Sign raw bytes with @noble/curves (portable; same bytes as signBytes). */
export function signBytesNoble(kp: KeyPair, data: Uint8Array): Signature {
  return encodeSignature(ed25519.sign(data, kp.secretKey));
}

/** Verify with node:crypto against a full node id. Never throws on bad input: returns false. */
export function verifyBytes(nodeIdFull: string, data: Uint8Array, signature: unknown): boolean {
  const sig = decodeSignature(signature);
  if (!sig) return false;
  try {
    return nodeVerify(null, data, publicKeyObjectOf(nodeIdFull), sig);
  } catch {
    return false;
  }
}

/** Verify with @noble/curves. */
export function verifyBytesNoble(nodeIdFull: string, data: Uint8Array, signature: unknown): boolean {
  const sig = decodeSignature(signature);
  if (!sig) return false;
  try {
    return ed25519.verify(sig, data, parseNodeId(nodeIdFull));
  } catch {
    return false;
  }
}
