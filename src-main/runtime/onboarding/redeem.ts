/**
 * M13 `redeemInvite`: reach a bootstrap endpoint from the invite, verify the community manifest,
 * pull the community's log (which holds our invite), and record that we joined.
 */
import { HearthError, type NodeId } from '../../common';
import { checkedSyncChannel, SyncClient, type EventLog } from '../events';
import {
  parseCommunityManifest,
  parseNodeManifest,
  verifyCommunityManifest,
  type CommunityManifest,
  type CommunityStateView,
  type Endpoint,
  type KeyPair,
} from '../identity';
import type { HttpClient } from '../transport';
import type { InviteBlob } from './invite';
import { OnboardingError } from './errors';

/** Time allowed for each bootstrap endpoint to answer. */
export const BOOTSTRAP_TIMEOUT_MS = 8_000;

export interface RedeemDeps<C extends { log: EventLog; state: CommunityStateView; close(): void }> {
  readonly kp: KeyPair;
  readonly displayName: string;
  readonly client: HttpClient;
  /** Opens (creating) the log of the invite's community, guarded by its membership view. */
  readonly openCommunity: (communityId: string) => C;
}

export interface RedeemResult {
  readonly manifest: CommunityManifest;
  readonly bootstrap: Endpoint;
  readonly inviterNodeId: string;
}

async function reachCommunity(
  blob: InviteBlob,
  client: HttpClient,
): Promise<{ manifest: CommunityManifest; endpoint: Endpoint; nodeId: NodeId }> {
  const failures: string[] = [];
  for (const endpoint of blob.bootstrap_endpoints) {
    try {
      const { manifest: raw } = await client.fetchCommunityManifest(endpoint, { timeoutMs: BOOTSTRAP_TIMEOUT_MS });
      let manifest: CommunityManifest;
      try {
        manifest = parseCommunityManifest(raw);
        verifyCommunityManifest(manifest);
      } catch (err) {
        throw new OnboardingError(
          'community_manifest_invalid',
          `${endpoint.host}:${endpoint.port} served a community manifest that does not verify: ${(err as Error).message}`,
          { cause: err },
        );
      }
      if (manifest.community_id !== blob.community_id) {
        throw new OnboardingError(
          'community_manifest_invalid',
          `${endpoint.host}:${endpoint.port} belongs to another community ("${manifest.name}")`,
        );
      }
      const node = parseNodeManifest(await client.learnPeer(endpoint, { timeoutMs: BOOTSTRAP_TIMEOUT_MS }));
      return { manifest, endpoint, nodeId: node.node_id };
    } catch (err) {
      if (err instanceof OnboardingError) throw err;
      failures.push(`${endpoint.host}:${endpoint.port} (${(err as Error).message})`);
    }
  }
  throw new OnboardingError(
    'bootstrap_unreachable',
    `could not reach the neighbour who invited you at ${failures.join('; ') || 'any address'}. Make sure their HearthNet is running and you are on the same network, then try again.`,
  );
}

/**
 * Joins the invite's community. On success the community log is open and holds our
 * `community.member.joined` event; the caller persists the community id and starts the
 * community parts of the node. On failure nothing is left open.
 */
export async function redeemInvite<C extends { log: EventLog; state: CommunityStateView; close(): void }>(
  blob: InviteBlob,
  deps: RedeemDeps<C>,
): Promise<RedeemResult & { community: C }> {
  const { kp } = deps;
  const reached = await reachCommunity(blob, deps.client);
  const community = deps.openCommunity(blob.community_id);
  try {
    const channel = checkedSyncChannel(
      deps.client.syncChannel({ nodeId: reached.nodeId, endpoint: reached.endpoint }),
      `${reached.endpoint.host}:${reached.endpoint.port}`,
    );
    try {
      await new SyncClient(community.log, channel).syncWith();
    } catch (err) {
      throw new OnboardingError(
        'sync_failed',
        `reached the community but could not copy its records: ${(err as Error).message}`,
        { cause: err },
      );
    }
    if (community.state.isRevoked(kp.nodeIdFull))
      throw new OnboardingError(
        'invite_invalid',
        'this household was removed from the community; ask a neighbour to talk to the community',
      );
    const record = community.state.members().find((m) => m.node_id === kp.nodeIdFull);
    if (!record && !community.state.isMember(kp.nodeIdFull)) {
      throw new OnboardingError(
        'invite_invalid',
        'the community has no record of this invite; ask your neighbour to create it again while their HearthNet is running',
      );
    }
    if (!community.state.members().some((m) => m.node_id === kp.nodeIdFull && m.status === 'joined')) {
      try {
        community.log.appendLocal(
          'community.member.joined',
          { node_id: kp.nodeIdFull, display_name: deps.displayName },
          kp,
        );
      } catch (err) {
        if (err instanceof HearthError) throw new OnboardingError('already_member', err.message, { cause: err });
        throw err;
      }
      try {
        await new SyncClient(community.log, channel).syncWith();
      } catch {
        /* the sync loop delivers our join event later */
      }
    }
    return { manifest: reached.manifest, bootstrap: reached.endpoint, inviterNodeId: blob.inviter_node_id, community };
  } catch (err) {
    community.close();
    throw err;
  }
}
