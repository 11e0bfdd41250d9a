/**
 * Co-signatures on membership changes (revoke, demote, promote, invite): each trusted/anchor
 * signer signs canonicalJson({community_id, action, node_id, ...details}) with its node key, and
 * the list travels in the event's `data.signatures`.
 */
import {
  canonicalJsonBytes,
  type CommunityId,
  type NodeId,
  type Signature,
  type TrustLevel,
  type WallClock,
} from '../../common';
import { signBytes, verifyBytes, type KeyPair } from './keys';

export const CO_SIGN_ACTIONS = ['invite', 'promote', 'demote', 'revoke'] as const;
export type CoSignAction = (typeof CO_SIGN_ACTIONS)[number];

/** One entry of `data.signatures`. */
export interface CoSignature {
  readonly signer: NodeId;
  readonly signature: Signature;
}

/** The exact object a co-signer signs (canonicalJson of it). */
export function coSignBody(
  communityId: CommunityId,
  action: CoSignAction,
  nodeId: NodeId,
  details: Record<string, unknown>,
): Record<string, unknown> {
  return { ...details, community_id: communityId, action, node_id: nodeId };
}

/** Sign any membership action. */
export function coSign(
  kp: KeyPair,
  communityId: CommunityId,
  action: CoSignAction,
  nodeId: NodeId,
  details: Record<string, unknown>,
): CoSignature {
  return {
    signer: kp.nodeIdFull,
    signature: signBytes(kp, canonicalJsonBytes(coSignBody(communityId, action, nodeId, details))),
  };
}

/** True when `sig` is a valid co-signature by `sig.signer` over the given action. Never throws. */
export function verifyCoSignature(
  sig: CoSignature,
  communityId: CommunityId,
  action: CoSignAction,
  nodeId: NodeId,
  details: Record<string, unknown>,
): boolean {
  try {
    return verifyBytes(sig.signer, canonicalJsonBytes(coSignBody(communityId, action, nodeId, details)), sig.signature);
  } catch {
    return false;
  }
}

/** Co-sign the revocation of `nodeId`; signs {community_id, action:'revoke', node_id, reason}. */
export function coSignRevocation(kp: KeyPair, communityId: CommunityId, nodeId: NodeId, reason: string): CoSignature {
  return coSign(kp, communityId, 'revoke', nodeId, { reason });
}

/** Co-sign lowering `nodeId` to `level`; signs {community_id, action:'demote', node_id, level}. */
export function coSignDemotion(kp: KeyPair, communityId: CommunityId, nodeId: NodeId, level: TrustLevel): CoSignature {
  return coSign(kp, communityId, 'demote', nodeId, { level });
}

/** Co-sign raising `nodeId` to `level`; signs {community_id, action:'promote', node_id, level}. */
export function coSignPromotion(kp: KeyPair, communityId: CommunityId, nodeId: NodeId, level: TrustLevel): CoSignature {
  return coSign(kp, communityId, 'promote', nodeId, { level });
}

/** Extra invite approvals (only needed when policy.min_signatures_to_invite > 1). */
export function coSignInvite(
  kp: KeyPair,
  communityId: CommunityId,
  invitee: NodeId,
  level: TrustLevel,
  expiresAt: WallClock,
): CoSignature {
  return coSign(kp, communityId, 'invite', invitee, { level, expires_at: expiresAt });
}

/** `data` of a `community.member.revoked` event. */
export function revocationData(
  nodeId: NodeId,
  reason: string,
  signatures: readonly CoSignature[],
): Record<string, unknown> {
  return { node_id: nodeId, reason, signatures: signatures.map((s) => ({ ...s })) };
}

/** `data` of a `community.member.demoted` or `.promoted` event. */
export function levelChangeData(
  nodeId: NodeId,
  level: TrustLevel,
  signatures: readonly CoSignature[],
): Record<string, unknown> {
  return { node_id: nodeId, level, signatures: signatures.map((s) => ({ ...s })) };
}
