/** X02 §3.1 of ../shared/spec/hearthnet-reference.md: the signed event, the unit of the replicated community log. */
import type { CommunityId, EventId, EventType, Lamport, NodeId, Signature, WallClock } from '../../common';

export const EVENT_SCHEMA_VERSION = 1;

/**
 * One signed event. Every field but `signature` is covered by the author's signature over
 * canonicalJson; field names are wire names and never change.
 */
export type Event = {
  readonly schema_version: number;
  readonly event_id: EventId;
  readonly lamport: Lamport;
  readonly wall_clock: WallClock;
  readonly community_id: CommunityId;
  readonly author: NodeId;
  readonly event_type: EventType;
  readonly data: Record<string, unknown>;
  readonly signature: Signature;
};

/** What the event log asks of the community state before accepting an event from another node. */
export interface MembershipOracle {
  /** True when `nodeIdFull` may author events in this community (a member, or the root). */
  isMember(nodeIdFull: NodeId): boolean;
  isRevoked(nodeIdFull: NodeId): boolean;
}

/** X02 §3.4: a read model rebuilt from the log (marketplace, chat, community membership, ...). */
export interface MaterialisedView {
  reset(): void;
  apply(event: Event): void;
  snapshotState(): Record<string, unknown>;
  restoreState(state: Record<string, unknown>): void;
}
