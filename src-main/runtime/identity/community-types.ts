/** The community membership state as snapshotted by CommunityStateView (not signed; stored locally). */
import type { CommunityId, NodeId, WallClock } from '../../common';
import type { CommunityMember, CommunityPolicy, RevokedEntry } from './manifest-types';

export const COMMUNITY_STATE_VERSION = 1;

/** A member as the view knows it: the manifest entry plus join status. */
export type MemberRecord = CommunityMember & {
  /** `invited` until the invitee's own `community.member.joined` event. */
  readonly status: 'invited' | 'joined';
  readonly display_name: string | null;
  /** Set while `status` is `invited`: after it, an invitee that never joined is no longer a member. */
  readonly invite_expires_at: WallClock | null;
};

/** Plain-JSON state of a CommunityStateView (`snapshotState` / `restoreState`). */
export type CommunityStateSnapshot = {
  readonly version: number;
  readonly community_id: CommunityId;
  /** False until `community.created` has been applied; the other fields are then defaults. */
  readonly created: boolean;
  readonly name: string;
  readonly root_key: NodeId;
  readonly created_at: WallClock | null;
  readonly lamport_at_creation: number;
  readonly head_lamport: number;
  readonly policy: CommunityPolicy;
  /** Sorted by node_id, so equal states snapshot to equal JSON. */
  readonly members: readonly MemberRecord[];
  readonly revoked: readonly RevokedEntry[];
};
