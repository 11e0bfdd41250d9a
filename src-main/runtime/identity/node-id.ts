/** Node ids (§0.1 of ../shared/spec/hearthnet-reference.md, §5): full `ed25519:<base64url public key>` and short `ed25519:XXXX-XXXX-XXXX-XXXX`. */
import { blake3 } from '@noble/hashes/blake3.js';
import { type CommunityId, type NodeId } from '../../common';
import { IdentityError } from './errors';

const PREFIX = 'ed25519:';
/** 32 symbols without 0/O and 1/I, so a short id read aloud or typed by hand is unambiguous. */
const SHORT_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

export function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new IdentityError('bad_node_id', 'not base64url');
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

/** `ed25519:` + base64url (no padding) of the 32-byte public key. */
export function fullNodeId(publicKey: Uint8Array): NodeId {
  if (publicKey.length !== 32)
    throw new IdentityError('bad_node_id', `public key must be 32 bytes, got ${publicKey.length}`);
  return (PREFIX + toBase64Url(publicKey)) as NodeId;
}

/** 80 bits of BLAKE3(public key) in 16 symbols, grouped by four: for people, not for verification. */
export function shortNodeId(publicKey: Uint8Array): NodeId {
  const digest = blake3(publicKey);
  let bits = 0n;
  for (let i = 0; i < 10; i++) bits = (bits << 8n) | BigInt(digest[i]);
  let out = '';
  for (let i = 15; i >= 0; i--) out += SHORT_ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
  return `${PREFIX}${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8, 12)}-${out.slice(12)}` as NodeId;
}

/** The public key inside a full node id; short ids are refused (they are hashes, not keys). */
export function parseNodeId(nodeId: string): Uint8Array {
  if (typeof nodeId !== 'string' || !nodeId.startsWith(PREFIX))
    throw new IdentityError('bad_node_id', `node id must start with "${PREFIX}"`);
  const body = nodeId.slice(PREFIX.length);
  if (/^[2-9A-Z]{4}(-[2-9A-Z]{4}){3}$/.test(body))
    throw new IdentityError('bad_node_id', 'a short node id cannot be parsed to a key; use the full id');
  const key = fromBase64Url(body);
  if (key.length !== 32 || toBase64Url(key) !== body)
    throw new IdentityError('bad_node_id', 'node id is not a base64url ed25519 public key');
  return key;
}

export function isFullNodeId(nodeId: unknown): nodeId is NodeId {
  try {
    parseNodeId(nodeId as string);
    return true;
  } catch {
    return false;
  }
}

/** Short form of a full node id (handy for logs and UI). */
export function shortOf(fullId: string): NodeId {
  return shortNodeId(parseNodeId(fullId));
}

/**
 * The edge where a node id arrives as text (the wire, the database, a person): a full node id as a
 * `NodeId`, or IdentityError('bad_node_id') naming `what`. Inner code takes `NodeId` and never
 * converts again.
 */
export function toNodeId(text: unknown, what = 'node id'): NodeId {
  if (!isFullNodeId(text))
    throw new IdentityError('bad_node_id', `${what} must be a full node id (ed25519:<base64url public key>)`, {
      details: { value: typeof text === 'string' ? text.slice(0, 80) : typeof text },
    });
  return text;
}

/** A full or short node id given by a person (the CLI, the UI), checked by its form only. */
export function toNodeIdQuery(text: string, what = 'node id'): NodeId {
  if (isFullNodeId(text) || /^ed25519:[2-9A-Z]{4}(-[2-9A-Z]{4}){3}$/.test(text)) return text as NodeId;
  throw new IdentityError('bad_node_id', `${what} must be a node id (ed25519:…), got "${text.slice(0, 80)}"`);
}

/** A community is named by its root's full node id: the root's `NodeId`. */
export function rootNodeOf(communityId: CommunityId): NodeId {
  return communityId as string as NodeId;
}

/** The community a root's node id names (the inverse of `rootNodeOf`). */
export function communityOf(rootNodeId: NodeId): CommunityId {
  return rootNodeId as string as CommunityId;
}
