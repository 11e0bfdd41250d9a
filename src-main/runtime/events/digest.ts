/**
 * Order-independent set digest used by sync: the sum, modulo 2^256, of BLAKE3(event_id) over
 * a set of events (big-endian 32-byte integers). Adding an event is O(1), so per-author digests
 * are kept up to date on insert. Sums are held as 32-byte arrays (no BigInt on the hot path).
 */
import { blake3 } from '@noble/hashes/blake3.js';

const utf8 = new TextEncoder();

/** The digest of the empty set. */
export const EMPTY_DIGEST = '0'.repeat(64);

/** A fresh running sum (the empty set). */
export function newDigestSum(): Uint8Array {
  return new Uint8Array(32);
}

/** Add BLAKE3(eventId) into `sum` in place (mod 2^256). */
export function addToDigest(sum: Uint8Array, eventId: string): void {
  const h = blake3(utf8.encode(eventId));
  let carry = 0;
  for (let i = 31; i >= 0; i--) {
    const v = sum[i] + h[i] + carry;
    sum[i] = v & 0xff;
    carry = v >> 8;
  }
}

export function digestToHex(sum: Uint8Array): string {
  return Buffer.from(sum.buffer, sum.byteOffset, 32).toString('hex');
}

export function digestFromHex(hex: string): Uint8Array {
  if (!/^[0-9a-f]{64}$/.test(hex)) return newDigestSum();
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** Digest of a list of event ids (order does not matter). */
export function digestOf(eventIds: Iterable<string>): string {
  const sum = newDigestSum();
  for (const id of eventIds) addToDigest(sum, id);
  return digestToHex(sum);
}

/**
 * Sum (mod 2^256) of several set digests: the digest of the union of disjoint sets. The sum of the
 * per-author digests is the digest of the whole log, which a sync round compares first.
 */
export function sumDigests(hexes: Iterable<string>): string {
  const sum = newDigestSum();
  for (const hex of hexes) {
    const d = digestFromHex(hex);
    let carry = 0;
    for (let i = 31; i >= 0; i--) {
      const v = sum[i] + d[i] + carry;
      sum[i] = v & 0xff;
      carry = v >> 8;
    }
  }
  return digestToHex(sum);
}
