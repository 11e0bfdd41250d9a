/**
 * Order-independent set digest used by sync: the sum, modulo 2^256, of BLAKE3(event_id) over
 * a set of events. Adding an event is O(1), so per-author digests are kept up to date on insert.
 */
import { blake3 } from '@noble/hashes/blake3.js';
import { bytesToHex } from '@noble/hashes/utils.js';

const MOD = 1n << 256n;
const utf8 = new TextEncoder();

/** The digest of the empty set. */
export const EMPTY_DIGEST = '0'.repeat(64);

/** BLAKE3 of the event id, as a 256-bit integer. */
export function eventIdHash(eventId: string): bigint {
  return BigInt('0x' + bytesToHex(blake3(utf8.encode(eventId))));
}

export function digestToHex(sum: bigint): string {
  return sum.toString(16).padStart(64, '0');
}

export function digestFromHex(hex: string): bigint {
  return BigInt('0x' + hex);
}

/** Add one event id to a digest held as a bigint. */
export function addToDigest(sum: bigint, eventId: string): bigint {
  return (sum + eventIdHash(eventId)) % MOD;
}

/** Digest of a list of event ids (order does not matter). */
export function digestOf(eventIds: Iterable<string>): string {
  let sum = 0n;
  for (const id of eventIds) sum = addToDigest(sum, id);
  return digestToHex(sum);
}
