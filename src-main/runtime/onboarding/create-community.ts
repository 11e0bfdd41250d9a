/** M13 `createCommunity`: this node becomes the root of a new community (its key is the community id). */
import { defaultCommunityPolicy, type CommunityManifest, type CommunityPolicy, type KeyPair } from '../identity';
import type { EventLog } from '../events';
import type { CommunityStateView } from '../identity';
import { OnboardingError } from './errors';

/** The community-scoped parts onboarding writes to. */
export interface CommunityHandle {
  readonly communityId: string;
  readonly log: EventLog;
  readonly state: CommunityStateView;
}

/**
 * Writes `community.created` (data `{name, policy, root}`) into a fresh log whose community id is
 * this node's full id, and returns the root-signed community manifest.
 */
export function createCommunity(opts: {
  name: string;
  policy?: CommunityPolicy;
  kp: KeyPair;
  community: CommunityHandle;
}): CommunityManifest {
  const { kp, community } = opts;
  if (community.communityId !== kp.nodeIdFull) {
    throw new OnboardingError(
      'already_member',
      'a new community must be created in a log keyed by this node (its root)',
    );
  }
  if (community.state.created) {
    throw new OnboardingError('already_member', `this node already leads the community "${community.state.name()}"`);
  }
  const name = opts.name.trim();
  community.log.appendLocal(
    'community.created',
    { name, policy: opts.policy ?? defaultCommunityPolicy(), root: kp.nodeIdFull },
    kp,
  );
  return community.state.toManifest(kp);
}
