/**
 * Community governance (M01/M13): revoke, promote and demote members with the co-signatures the
 * community policy asks for. The community rules (identity/community-rules.ts) judge every such
 * event before it is stored, here and on every other member, so a short-signed action changes
 * nothing anywhere.
 */
import { HearthError, promiseTry, type CommunityId, type NodeId, type TrustLevel } from '../../../common';
import { defineCapability, type HandlerContext } from '../../bus';
import type { Service, ServiceCapability } from '../base';
import {
  coSignDemotion,
  coSignPromotion,
  coSignRevocation,
  levelChangeData,
  revocationData,
  isFullNodeId,
  verifyCoSignature,
  type CoSignature,
  type KeyPair,
} from '../../identity';
import type { CommunityContext } from '../../node/community-context';
import { EventLogError } from '../../events';
import { OnboardingError } from '../../onboarding';

export type GovernanceAction = 'revoke' | 'promote' | 'demote';

export interface GovernanceRequest {
  readonly action: GovernanceAction;
  /** Checked at the edge (the API input, the bus capability's body). */
  readonly nodeId: NodeId;
  readonly reason?: string;
  readonly level?: TrustLevel;
  /** Co-signatures gathered from other trusted members. */
  readonly signatures?: readonly CoSignature[];
}

export interface GovernanceResult {
  readonly done: boolean;
  readonly event_id: string | null;
  /** Every signature now held (ours included); pass them on when more are needed. */
  readonly signatures: readonly CoSignature[];
  readonly message: string;
}

function details(r: GovernanceRequest): { reason: string } | { level: TrustLevel } {
  if (r.action === 'revoke') return { reason: (r.reason ?? '').trim() || 'no reason given' };
  if (!r.level)
    throw new OnboardingError('invite_invalid', `${r.action} needs the new level (member, trusted or anchor)`);
  return { level: r.level };
}

/** Our own co-signature for an action, to hand to the member who will record it. */
export function coSignAction(kp: KeyPair, communityId: CommunityId, r: GovernanceRequest): CoSignature {
  const d = details(r);
  if (r.action === 'revoke') return coSignRevocation(kp, communityId, r.nodeId, (d as { reason: string }).reason);
  const level = (d as { level: TrustLevel }).level;
  return r.action === 'promote'
    ? coSignPromotion(kp, communityId, r.nodeId, level)
    : coSignDemotion(kp, communityId, r.nodeId, level);
}

/** Distinct valid signatures, ours first. */
function gather(
  own: CoSignature | null,
  given: readonly CoSignature[],
  communityId: CommunityId,
  r: GovernanceRequest,
): CoSignature[] {
  const d = details(r) as Record<string, unknown>;
  const out = new Map<string, CoSignature>();
  for (const s of own ? [own, ...given] : given) {
    if (!out.has(s.signer) && verifyCoSignature(s, communityId, r.action, r.nodeId, d)) out.set(s.signer, s);
  }
  return [...out.values()];
}

/**
 * Records the action when the signatures suffice. `sign: false` (the bus capability) records
 * only with the caller's signatures: a node never co-signs on someone else's say-so.
 */
export function applyGovernance(
  kp: KeyPair,
  community: CommunityContext,
  r: GovernanceRequest,
  opts: { sign?: boolean } = {},
): GovernanceResult {
  const own = opts.sign === false ? null : coSignAction(kp, community.communityId, r);
  const signatures = gather(own, r.signatures ?? [], community.communityId, r);
  const d = details(r);
  const [type, data] =
    r.action === 'revoke'
      ? (['community.member.revoked', revocationData(r.nodeId, (d as { reason: string }).reason, signatures)] as const)
      : ([
          r.action === 'promote' ? 'community.member.promoted' : 'community.member.demoted',
          levelChangeData(r.nodeId, (d as { level: TrustLevel }).level, signatures),
        ] as const);
  try {
    const event = community.log.appendLocal(type, data, kp);
    return { done: true, event_id: event.event_id, signatures, message: `${r.action} of ${r.nodeId} recorded` };
  } catch (err) {
    if (err instanceof EventLogError && err.code === 'forbidden')
      return { done: false, event_id: null, signatures, message: err.message };
    throw err;
  }
}

const CO_SIGNATURE_SCHEMA = {
  type: 'object',
  required: ['signer', 'signature'],
  properties: { signer: { type: 'string' }, signature: { type: 'string' } },
};

/** `community.revoke@1.0` (trusted). */
const REVOKE_DESCRIPTOR = defineCapability({
  name: 'community.revoke',
  version: [1, 0],
  stability: 'beta',
  trust_required: 'trusted',
  idempotent: false,
  request_schema: {
    type: 'object',
    required: ['node_id', 'signatures'],
    additionalProperties: false,
    properties: {
      node_id: { type: 'string' },
      reason: { type: 'string', maxLength: 500 },
      signatures: { type: 'array', items: CO_SIGNATURE_SCHEMA, maxItems: 64 },
    },
  },
  response_schema: null,
});

export interface GovernanceComponents {
  readonly keys: KeyPair;
  /** The community this node belongs to now, if any. */
  readonly community: () => CommunityContext | null;
}

/**
 * The governance capability as a service: `community.revoke@1.0` records a revocation the
 * (trusted) caller brings enough signatures for. Stateless, so start and stop have nothing to do.
 */
export class GovernanceService implements Service {
  readonly name = 'governance';
  readonly version = '1.0';

  constructor(private readonly components: GovernanceComponents) {}

  start(): void {}

  async stop(): Promise<void> {}

  health(): Record<string, unknown> {
    return { ok: true, in_community: this.components.community() !== null };
  }

  capabilities(): ServiceCapability[] {
    return [{ descriptor: REVOKE_DESCRIPTOR, handler: this.revoke }];
  }

  private readonly revoke = (ctx: HandlerContext): Promise<unknown> => promiseTry(() => this.revokeNow(ctx));

  private revokeNow(ctx: HandlerContext): unknown {
    const c = this.components.community();
    if (!c) throw new HearthError('forbidden', 'this node is not in a community');
    const body = ctx.body as { node_id: string; reason?: string; signatures: CoSignature[] };
    // The edge of a peer's request: the rules would refuse a malformed id as forbidden too.
    if (!isFullNodeId(body.node_id))
      throw new HearthError('forbidden', 'node_id must be a full node id (ed25519:<base64url public key>)');
    const result = applyGovernance(
      this.components.keys,
      c,
      { action: 'revoke', nodeId: body.node_id, reason: body.reason, signatures: body.signatures },
      { sign: false },
    );
    if (!result.done) throw new HearthError('forbidden', result.message);
    return { event_id: result.event_id, signatures: result.signatures.length };
  }
}
