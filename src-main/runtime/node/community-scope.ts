/**
 * Everything a node runs only while it belongs to a community: the log and membership view,
 * discovery, the sync loop, and the wiring that turns peers into bus routes. Started at boot for
 * a configured community, or at run time right after an invite is redeemed.
 */
import type { NodeId, Profile } from '../../common';
import type { CapabilityBus } from '../bus';
import type { Config } from '../config';
import { DiscoveryService, type DiscoveryConfig, type PeerRecord, type PeerRegistry } from '../discovery';
import { checkedSyncChannel, isTypedEvent, SyncServer, type Event } from '../events';
import { isFullNodeId, parseNodeManifest, verifyNodeManifest, type Endpoint, type KeyPair } from '../identity';
import type { Logger, Metrics } from '../observability';
import { refusalReason, type HttpClient, type PeerAddress } from '../transport';
import type { CommunityContext } from './community-context';
import { ShutdownStack } from '../lifecycle';
import { startCommunityServices, type CommunityServices } from './community-services';
import { SyncLoop } from '../events/sync-loop';
import { errorMessage } from '../../common/error-message';

export interface CommunityScopeDeps {
  readonly config: Config;
  readonly kp: KeyPair;
  readonly community: CommunityContext;
  readonly bus: CapabilityBus;
  readonly peers: PeerRegistry;
  readonly client: HttpClient;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly displayName: string;
  readonly profile: Profile;
  readonly transportPort: number;
  readonly transportHost: string;
  readonly discoveryConfig: DiscoveryConfig;
  readonly knownPeersPath: string;
  readonly bootstrap?: readonly Endpoint[];
  readonly syncIntervalMs?: number;
}

export interface CommunityScope {
  readonly community: CommunityContext;
  readonly syncServer: SyncServer;
  readonly discovery: DiscoveryService;
  readonly syncLoop: SyncLoop;
  readonly services: CommunityServices;
  stop(): Promise<void>;
}

/** Peers we can call: discovered, with a verified manifest and an endpoint. */
export function peerAddresses(peers: PeerRegistry): PeerAddress[] {
  return peers
    .all()
    .filter((p) => p.endpoints.length > 0)
    .map((p) => ({ nodeId: p.node_id_full, endpoint: p.endpoints[0] }));
}

export async function startCommunityScope(d: CommunityScopeDeps): Promise<CommunityScope> {
  const { kp, community, bus, peers, client, log, metrics } = d;
  const stack = new ShutdownStack(log);
  try {
    // Events first heard of through a push are gossiped on (bounded fan-out, see sync-loop.ts).
    const syncServer = new SyncServer(community.log, {
      onFreshPush: (events, from) => void syncLoop.relay(events, from),
    });
    const isMember = (id: NodeId) => community.state.isMember(id) && !community.state.isRevoked(id);

    const discovery = new DiscoveryService({
      kp,
      registry: peers,
      communityId: community.communityId,
      displayName: d.displayName,
      profile: d.profile,
      port: d.transportPort,
      config: d.discoveryConfig,
      interfaceAddress: d.transportHost === '0.0.0.0' ? undefined : d.transportHost,
      knownPeersPath: d.knownPeersPath,
      bootstrap: d.bootstrap,
      fetchManifest: async (endpoint, { signal }) => parseNodeManifest(await client.learnPeer(endpoint, { signal })),
      verifyManifest: (m) => {
        verifyNodeManifest(m);
        if (m.community_id !== community.communityId)
          throw new Error(`manifest of another community (${m.community_id})`);
        if (!isMember(m.node_id)) throw new Error(`${m.node_id} is not a member of this community`);
      },
      log: (level, msg, x) => log[level](msg, x),
    });

    const syncLoop = new SyncLoop({
      log: community.log,
      ourNodeId: kp.nodeIdFull,
      peers: () => peerAddresses(peers),
      channelFor: (peer) => checkedSyncChannel(client.syncChannel(peer), peer.nodeId),
      intervalMs: d.syncIntervalMs,
      onError: (peer, err) => {
        // A peer that refuses us says why; status shows it, so a removed household learns it was removed.
        const refused = refusalReason(err);
        if (refused) peers.noteRefusal(peer.nodeId, refused);
        log.debug('sync failed', { peer: peer.nodeId, error: errorMessage(err) });
      },
      onSynced: (peer) => {
        peers.noteRefusal(peer.nodeId, null);
        // A signed exchange proves the peer alive: discovery need not refetch it to keep it.
        peers.touch(peer.nodeId);
      },
    });

    // Peers feed the bus; a revoked member is dropped at once.
    const onPeer = (kind: 'added' | 'updated' | 'removed', p: PeerRecord) => {
      if (kind === 'removed' || !isMember(p.node_id_full)) bus.onPeerRemoved(p.node_id_full);
      else if (p.manifest)
        bus.onPeerAdded({ nodeId: p.node_id_full, endpoint: p.endpoints[0] ?? null, manifest: p.manifest });
      metrics.std.nodesOnline.set({ community: community.communityId }, peers.all().length + 1);
      if (kind === 'added') {
        log.info('neighbour found', { peer: p.node_id_full, name: p.display_name, source: p.source });
        syncLoop.poke();
      } else if (kind === 'removed') log.info('neighbour gone', { peer: p.node_id_full, name: p.display_name });
    };
    stack.push(
      'peer wiring',
      peers.on((e) => onPeer(e.kind, e.peer)),
    );
    for (const p of peers.all()) onPeer('added', p);

    // Members' manifests in the log say where to reach them even where multicast is blocked.
    const learnFromManifest = (e: Event, live: boolean) => {
      if (!isTypedEvent(e, ['node.manifest.updated'])) return;
      try {
        const m = parseNodeManifest(e.data.manifest);
        if (m.node_id === kp.nodeIdFull || !isMember(m.node_id)) return;
        for (const ep of m.endpoints) discovery.knownPeers.recordSuccess(m.node_id, ep, m.display_name);
        // A fresh manifest from a peer we already talk to: new capabilities route at once.
        const known = live ? peers.get(m.node_id) : null;
        if (known) {
          verifyNodeManifest(m);
          peers.upsert({
            ...known,
            manifest: m,
            display_name: m.display_name,
            profile: m.profile,
            last_seen: Date.now(),
          });
        }
      } catch {
        /* a malformed manifest inside a valid event: nothing to learn from it */
      }
    };
    for (const e of community.log.replay({ eventTypes: ['node.manifest.updated'] })) learnFromManifest(e, false);
    stack.push(
      'log wiring',
      community.log.onAppend((e) => {
        // Operators (and the street simulator) time how events spread from these lines.
        log.debug('event stored', { event_id: e.event_id, author: e.author, event_type: e.event_type });
        if (e.event_type === 'node.manifest.updated' && e.author !== kp.nodeIdFull) learnFromManifest(e, true);
        // The community rules (the log's validate hook) accepted it: node_id is a full node id.
        if (isTypedEvent(e, ['community.member.revoked'])) {
          const revoked = e.data.node_id;
          peers.remove(revoked);
          if (isFullNodeId(revoked)) bus.onPeerRemoved(revoked);
        }
        metrics.std.eventLogSize.set({ community: community.communityId }, community.log.count());
        metrics.std.eventLogLamportHead.set({ community: community.communityId }, community.log.head());
      }),
    );
    metrics.std.eventLogSize.set({ community: community.communityId }, community.log.count());
    metrics.std.eventLogLamportHead.set({ community: community.communityId }, community.log.head());

    // Services first, so the first manifest neighbours see already lists their capabilities.
    const services = await startCommunityServices({
      config: d.config,
      kp,
      community,
      bus,
      peers,
      client,
      log,
      metrics,
    });
    stack.push('services', () => services.stop());

    await discovery.start();
    stack.push('discovery', () => discovery.stop());
    syncLoop.start();
    stack.push('sync loop', () => syncLoop.stop());

    return { community, syncServer, discovery, syncLoop, services, stop: () => stack.unwind() };
  } catch (err) {
    await stack.unwind();
    throw err;
  }
}
