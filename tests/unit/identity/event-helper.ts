/** Test helper: signed Event objects (X02 shape) with a per-community Lamport counter and a test clock. */
import { ulid } from 'ulidx';
import { toWallClock, type CommunityId, type EventId, type EventType, type Signature } from '../../../src-main/common';
import type { Event } from '../../../src-main/runtime/events/types';
import { signPayload, type KeyPair } from '../../../src-main/runtime/identity';

export const T0 = new Date('2026-05-26T08:00:00Z');

/** Makes events for one community; `at` defaults to T0 + lamport seconds so wall clocks rise. */
export function eventMaker(communityId: string) {
  let lamport = 0;
  return (author: KeyPair, event_type: EventType, data: Record<string, unknown>, at?: Date): Event => {
    lamport += 1;
    const body = {
      schema_version: 1,
      event_id: ulid() as EventId,
      lamport,
      wall_clock: toWallClock(at ?? new Date(T0.getTime() + lamport * 1000)),
      community_id: communityId as CommunityId,
      author: author.nodeIdFull,
      event_type,
      data,
    };
    const signed = signPayload(body, author);
    return { ...signed, signature: signed.signature as Signature };
  };
}
