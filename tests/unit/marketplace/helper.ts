/** Test helper: signed market events and a recording appendEvent bound to one node's key. */
import type { EventType } from '../../../src-main/common';
import type { Event } from '../../../src-main/runtime/events/types';
import { generateKeyPair, type KeyPair } from '../../../src-main/runtime/identity';
import { eventMaker, T0 } from '../identity/event-helper';

export { T0 };
export const NOW = T0.getTime() + 3_600_000;
export const DAY = 86_400;

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** One community: named keys, a shared Lamport counter, and the events made so far. */
export function community() {
  const mk = eventMaker(generateKeyPair().nodeIdFull);
  const alice = generateKeyPair();
  const bob = generateKeyPair();
  const written: Event[] = [];
  const make = (who: KeyPair, type: EventType, data: Record<string, unknown>) => mk(who, type, data);
  const created = (who: KeyPair, over: Record<string, unknown> = {}) =>
    make(who, 'market.post.created', {
      category: 'offer',
      title: 'Spare ladder',
      body: 'A 3 m ladder to lend.',
      tags: ['tools'],
      location: null,
      expires_at: iso(NOW + 7 * DAY * 1000),
      ...over,
    });
  /** appendEvent as the node passes it: signs as `who` and records what was written. */
  const appender = (who: KeyPair) => (type: EventType, data: Record<string, unknown>) => {
    const e = make(who, type, data);
    written.push(e);
    return e;
  };
  return { alice, bob, make, created, appender, written };
}
