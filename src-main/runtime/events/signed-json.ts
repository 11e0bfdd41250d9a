/** The canonical signed JSON of an event: minting a local event, and the text a received one is verified and stored as. */
import { canonicalJson } from '../../common';
import { signBytes, type KeyPair } from '../identity';
import { EventLogError } from './errors';
import type { Event } from './types';

/** Every field of an event but its signature. */
export type UnsignedEvent = Omit<Event, 'signature'>;

/**
 * Sign `unsigned` as its author: the event (with a deep copy of `data`, so later changes to the
 * caller's object cannot alter it) and the canonical JSON the log stores and serves.
 */
export function signEvent(unsigned: UnsignedEvent, authorKp: KeyPair): { event: Event; json: string } {
  let restJson: string;
  try {
    restJson = canonicalJson(unsigned);
  } catch (err) {
    throw new EventLogError('schema_unknown', `event data cannot be signed: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const signature = signBytes(authorKp, Buffer.from(restJson, 'utf8'));
  const data = JSON.parse(JSON.stringify(unsigned.data)) as Event['data'];
  return { event: { ...unsigned, data, signature }, json: withSignature(restJson, signature) };
}

/**
 * Canonical JSON of the signed event from that of its unsigned part: `wall_clock` is the last key
 * in code-point order and `signature` sorts just before it, and the shape check guarantees exactly
 * the nine Event keys and a plain wall_clock string, so one insertion gives the same bytes as
 * canonicalJson(event) without encoding `data` twice (a test holds the two equal).
 */
export function withSignature(restJson: string, signature: string): string {
  const at = restJson.lastIndexOf(',"wall_clock":');
  return `${restJson.slice(0, at)},"signature":${JSON.stringify(signature)}${restJson.slice(at)}`;
}

/** canonicalJson of the event without its signature, or null when it cannot be encoded (e.g. 1e400 parsed as Infinity). */
export function unsignedJsonOf(event: Event): string | null {
  const { signature: _signature, ...rest } = event;
  try {
    return canonicalJson(rest);
  } catch {
    return null;
  }
}

/** The event_id of anything that claims to be an event ('' when it has none), for error reports. */
export function idOf(e: unknown): string {
  const id = (e as { event_id?: unknown } | null)?.event_id;
  return typeof id === 'string' ? id : '';
}
