/** §19 of ../shared/spec/hearthnet-reference.md: who may call a capability, decided from the community state. */
import type { NodeId } from '../../common';
import type { CapabilityTrust } from './capability';
import { BusError } from './errors';

/** Membership view the bus asks (the community state provides it). Ids are full node ids. */
export interface TrustOracle {
  levelOf(nodeId: NodeId): 'member' | 'trusted' | 'anchor' | null;
  isRevoked(nodeId: NodeId): boolean;
}

const RANK = { member: 1, trusted: 2, anchor: 3 } as const;

/**
 * Throws BusError('forbidden') unless `caller` may use a capability requiring `required`.
 * Our own node passes every level: it is the household's own machine calling itself.
 */
export function checkTrust(
  trust: TrustOracle,
  ourNodeId: NodeId,
  caller: NodeId,
  required: CapabilityTrust,
  label: string,
): void {
  if (caller === ourNodeId) return;
  if (required === 'self') throw new BusError('forbidden', `${label} can only be used by this node itself`);
  if (trust.isRevoked(caller))
    throw new BusError('forbidden', `${caller} has been removed from the community and may not use ${label}`);
  const level = trust.levelOf(caller);
  if (level === null) throw new BusError('forbidden', `${caller} is not a member of this community`);
  if (RANK[level] < RANK[required])
    throw new BusError('forbidden', `${label} needs a ${required} member; ${caller} is ${level}`);
}
