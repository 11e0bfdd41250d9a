/**
 * How a running node comes to belong to a community: it starts one (first launch, "Start a
 * community") or joins one with a join code or a bound invite. Both end the same way: the
 * community id is saved in the config and the community parts start.
 */
import { CallError, type NodeId } from '../../common';
import type { CommunityStarted, InviteRedeemed, WhoInvites } from '../api';
import { defaultCommunityPolicy, type Endpoint, type KeyPair } from '../identity';
import type { Logger } from '../observability';
import {
  answerJoinRequest,
  createCommunity,
  decodeInvite,
  decodeJoinCode,
  fetchInviteForCode,
  inviteEventData,
  looksLikeJoinCode,
  makeInvite,
  redeemInvite,
  type InviteBlob,
  type JoinCodeBook,
} from '../onboarding';
import type { HttpClient } from '../transport';
import type { CommunityContext } from './community-context';
import { writeCommunityManifest } from '../config/community-file';
import { OnboardingError } from '../onboarding';

/** Invites handed out for a join code are redeemed at once; an hour covers a slow network. */
export const JOIN_CODE_INVITE_TTL_SECONDS = 3_600;

export interface CommunityJoiningDeps {
  readonly kp: KeyPair;
  readonly displayName: string;
  readonly client: HttpClient;
  readonly communityManifestPath: string;
  readonly log: Logger;
  readonly open: (communityId: string) => CommunityContext;
  readonly activate: (c: CommunityContext, bootstrap?: readonly Endpoint[]) => Promise<void>;
  readonly current: () => CommunityContext | null;
  readonly communityName: () => string;
  /** Persist the community id (config file) once the node belongs to it. */
  readonly remember: (communityId: string) => void;
}

/** Signs an invite bound to `invitee` and records it in the community log (the inviter's side). */
export function issueBoundInvite(
  d: { kp: KeyPair; community: CommunityContext; name: string; endpoints: readonly Endpoint[] },
  invitee: NodeId,
  level: 'member' | 'trusted',
  ttlSeconds: number,
): InviteBlob {
  if (d.community.state.isRevoked(invitee))
    throw new OnboardingError(
      'invite_invalid',
      'the community removed that household; it cannot be invited again this way',
    );
  if (d.community.state.members().some((m) => m.node_id === invitee && m.status === 'joined')) {
    throw new OnboardingError('already_member', 'that household already belongs to this community');
  }
  const blob = makeInvite({
    invitee,
    inviterKp: d.kp,
    community: { community_id: d.community.communityId, name: d.name },
    bootstrapEndpoints: d.endpoints,
    initialLevel: level,
    ttlSeconds,
  });
  // Recorded in the log first: the invitee becomes a member the moment it can reach anyone.
  d.community.log.appendLocal('community.member.invited', inviteEventData(blob), d.kp);
  return blob;
}

/** The inviter's `POST /join/v1/redeem` handler: claim the code in `book`, then issue a bound invite. */
export function joinCodeEndpoint(d: {
  kp: KeyPair;
  book: JoinCodeBook;
  current: () => CommunityContext | null;
  communityName: () => string;
  endpoints: () => readonly Endpoint[];
}) {
  return (caller: NodeId, body: Record<string, unknown>) =>
    answerJoinRequest(caller, body, {
      book: d.book,
      kp: d.kp,
      // A promise executor: what issueBoundInvite throws becomes the rejection the caller expects.
      issue: (invitee, level) =>
        new Promise<InviteBlob>((resolve) => {
          const c = d.current();
          if (!c) throw new CallError('forbidden', 'this node has not joined a community yet');
          resolve(
            issueBoundInvite(
              { kp: d.kp, community: c, name: d.communityName(), endpoints: d.endpoints() },
              invitee,
              level,
              JOIN_CODE_INVITE_TTL_SECONDS,
            ),
          );
        }),
    });
}

export function communityJoining(d: CommunityJoiningDeps) {
  const refuseIfMember = () => {
    if (d.current())
      throw new OnboardingError(
        'already_member',
        `this household already belongs to "${d.communityName()}"; a household is in one community at a time`,
      );
  };

  return {
    startCommunity: async (name: string, whoInvites: WhoInvites): Promise<CommunityStarted> => {
      refuseIfMember();
      const c = d.open(d.kp.nodeIdFull);
      try {
        const policy = { ...defaultCommunityPolicy(), default_member_can_invite: whoInvites === 'everyone' };
        const manifest = createCommunity({ name, policy, kp: d.kp, community: c });
        writeCommunityManifest(d.communityManifestPath, manifest);
        d.remember(c.communityId);
        await d.activate(c);
      } catch (err) {
        c.close();
        throw err;
      }
      d.log.info('started community', { community: d.kp.nodeIdFull, name });
      return { community_id: d.kp.nodeIdFull, name };
    },

    /** A join code (asks the inviter's node for a bound invite first) or a bound invite. */
    joinByInvite: async (text: string): Promise<InviteRedeemed> => {
      refuseIfMember();
      const blob = looksLikeJoinCode(text)
        ? await fetchInviteForCode(decodeJoinCode(text), { kp: d.kp, client: d.client })
        : decodeInvite(text, { ourNodeId: d.kp.nodeIdFull });
      const joined = await redeemInvite(blob, {
        kp: d.kp,
        displayName: d.displayName,
        client: d.client,
        openCommunity: d.open,
      });
      writeCommunityManifest(d.communityManifestPath, joined.manifest);
      d.remember(blob.community_id);
      try {
        await d.activate(joined.community, blob.bootstrap_endpoints);
      } catch (err) {
        throw new CallError(
          'internal_error',
          `joined "${joined.manifest.name}" but could not start its parts: ${(err as Error).message}`,
          { cause: err },
        );
      }
      d.log.info('joined community', { community: blob.community_id, name: joined.manifest.name });
      return { community_id: blob.community_id, name: joined.manifest.name, inviter: blob.inviter_node_id };
    },
  };
}
