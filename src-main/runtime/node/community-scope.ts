/**
 * Everything a node runs only while it belongs to a community, as one part: the community
 * services, discovery, the sync loop, and the wiring that turns peers into bus routes and the
 * log's manifests into addresses. Built when the node joins (at boot for a configured community,
 * or right after an invite is redeemed); CommunityMembership starts and stops it.
 */
import type { NodeId } from '../../common';
import { DiscoveryService, type PeerRecord, type PeerRegistry } from '../discovery';
import { checkedSyncChannel, isTypedEvent, SyncServer, type Event } from '../events';
import { isFullNodeId, parseNodeManifest, verifyNodeManifest, type Endpoint } from '../identity';
import type { Logger } from '../observability';
import { refusalReason, type PeerAddress } from '../transport';
import type { CommunityContext } from './community-context';
import { ShutdownStack, StartGate, type Startable } from '../lifecycle';
import { CommunityServices } from './community-services';
import type { NodeComponents } from './components';
import { SyncLoop } from '../events/sync-loop';
import { errorMessage } from '../../common/error-message';

/** Peers we can call: discovered, with a verified manifest and an endpoint. */
export function peerAddresses(peers: PeerRegistry): PeerAddress[] {
  return peers
    .all()
    .filter((p) => p.endpoints.length > 0)
    .map((p) => ({ nodeId: p.node_id_full, endpoint: p.endpoints[0] }));
}

export type CommunityScopeComponents = Pick<
  NodeComponents,
  'config' | 'keys' | 'bus' | 'peers' | 'transport' | 'logger' | 'metrics' | 'displayName' | 'profile' | 'files'
>;

export interface CommunityScopeInit {
  readonly community: CommunityContext;
  /** The port neighbours reach the peer server on (advertised by discovery). */
  readonly transportPort: number;
  /** Endpoints from an invite, tried before anything is discovered. */
  readonly bootstrap?: readonly Endpoint[];
  readonly syncIntervalMs?: number;
}

export class CommunityScope implements Startable {
  readonly community: CommunityContext;
  readonly syncServer: SyncServer;
  readonly discovery: DiscoveryService;
  readonly syncLoop: SyncLoop;
  readonly services: CommunityServices;
  readonly #log: Logger;
  readonly #stack: ShutdownStack;
  readonly #gate = new StartGate(
    () => this.#start(),
    () => this.#stack.unwind(),
  );

  constructor(
    private readonly c: CommunityScopeComponents,
    init: CommunityScopeInit,
  ) {
    const { keys: kp, peers, transport: client } = c;
    const config = c.config();
    const community = (this.community = init.community);
    const log = (this.#log = c.logger.forComponent('node'));
    this.#stack = new ShutdownStack(log);
    // Events first heard of through a push are gossiped on (bounded fan-out, see sync-loop.ts).
    this.syncServer = new SyncServer(community.log, {
      onFreshPush: (events, from) => void this.syncLoop.relay(events, from),
    });
    const host = config.transport.host;
    this.discovery = new DiscoveryService({
      kp,
      registry: peers,
      communityId: community.communityId,
      displayName: c.displayName,
      profile: c.profile,
      port: init.transportPort,
      config: config.discovery,
      interfaceAddress: host === '0.0.0.0' ? undefined : host,
      knownPeersPath: c.files.knownPeers,
      bootstrap: init.bootstrap,
      fetchManifest: async (endpoint, { signal }) => parseNodeManifest(await client.learnPeer(endpoint, { signal })),
      verifyManifest: (m) => {
        verifyNodeManifest(m);
        if (m.community_id !== community.communityId)
          throw new Error(`manifest of another community (${m.community_id})`);
        if (!this.#isMember(m.node_id)) throw new Error(`${m.node_id} is not a member of this community`);
      },
      log: c.logger.forComponent('discovery'),
    });
    this.syncLoop = new SyncLoop({
      log: community.log,
      ourNodeId: kp.nodeIdFull,
      peers: () => peerAddresses(peers),
      channelFor: (peer) => checkedSyncChannel(client.syncChannel(peer), peer.nodeId),
      intervalMs: init.syncIntervalMs,
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
    this.services = new CommunityServices(c, { community });
  }

  start(): Promise<void> {
    return this.#gate.start();
  }

  stop(): Promise<void> {
    return this.#gate.stop();
  }

  #isMember(id: NodeId): boolean {
    return this.community.state.isMember(id) && !this.community.state.isRevoked(id);
  }

  async #start(): Promise<void> {
    const stack = this.#stack;
    const { peers } = this.c;
    stack.push(
      'peer wiring',
      peers.on((e) => this.#onPeer(e.kind, e.peer)),
    );
    for (const p of peers.all()) this.#onPeer('added', p);
    stack.push('log wiring', this.#wireLog());
    // Services first, so the first manifest neighbours see already lists their capabilities.
    for (const [name, part] of [
      ['services', this.services],
      ['discovery', this.discovery],
      ['sync loop', this.syncLoop],
    ] as const) {
      await part.start();
      stack.push(name, () => part.stop());
    }
  }

  /** Peers feed the bus; a revoked member is dropped at once. */
  #onPeer(kind: 'added' | 'updated' | 'removed', p: PeerRecord): void {
    const { bus, peers, metrics } = this.c;
    const log = this.#log;
    if (kind === 'removed' || !this.#isMember(p.node_id_full)) bus.onPeerRemoved(p.node_id_full);
    else if (p.manifest)
      bus.onPeerAdded({ nodeId: p.node_id_full, endpoint: p.endpoints[0] ?? null, manifest: p.manifest });
    metrics.std.nodesOnline.set({ community: this.community.communityId }, peers.all().length + 1);
    if (kind === 'added') {
      log.info('neighbour found', { peer: p.node_id_full, name: p.display_name, source: p.source });
      this.syncLoop.poke();
    } else if (kind === 'removed') log.info('neighbour gone', { peer: p.node_id_full, name: p.display_name });
  }

  /** Members' manifests in the log say where to reach them even where multicast is blocked. */
  #learnFromManifest(e: Event, live: boolean): void {
    if (!isTypedEvent(e, ['node.manifest.updated'])) return;
    const { keys: kp, peers } = this.c;
    try {
      const m = parseNodeManifest(e.data.manifest);
      if (m.node_id === kp.nodeIdFull || !this.#isMember(m.node_id)) return;
      for (const ep of m.endpoints) this.discovery.knownPeers.recordSuccess(m.node_id, ep, m.display_name);
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
  }

  /** Learns from the log's manifests and follows what is appended; returns the unsubscribe. */
  #wireLog(): () => void {
    const { keys: kp, bus, peers, metrics } = this.c;
    const { log: eventLog, communityId } = this.community;
    const log = this.#log;
    const gauges = () => {
      metrics.std.eventLogSize.set({ community: communityId }, eventLog.count());
      metrics.std.eventLogLamportHead.set({ community: communityId }, eventLog.head());
    };
    for (const e of eventLog.replay({ eventTypes: ['node.manifest.updated'] })) this.#learnFromManifest(e, false);
    const off = eventLog.onAppend((e) => {
      // Operators (and the street simulator) time how events spread from these lines.
      log.debug('event stored', { event_id: e.event_id, author: e.author, event_type: e.event_type });
      if (e.event_type === 'node.manifest.updated' && e.author !== kp.nodeIdFull) this.#learnFromManifest(e, true);
      // The community rules (the log's validate hook) accepted it: node_id is a full node id.
      if (isTypedEvent(e, ['community.member.revoked'])) {
        const revoked = e.data.node_id;
        peers.remove(revoked);
        if (isFullNodeId(revoked)) bus.onPeerRemoved(revoked);
      }
      gauges();
    });
    gauges();
    return off;
  }
}
