/**
 * M12 composition root: `startNode(config)` wires the parts of a HearthNet node in dependency
 * order (reference §17's 15 steps; steps whose services land later plug in here) and returns a
 * RunningNode whose `stop()` unwinds everything in reverse, best-effort.
 */
import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import type { Mode, NodeId, Profile } from '../common';
import { ApiServer } from './api/server';
import type { NodeApi } from './api/router';
import type { StatusReport } from './api/status';
import { CapabilityBus, toCapabilitySpec } from './bus';
import type { Config } from './config';
import { DiscoveryService, PeerRegistry, type PeerRecord } from './discovery';
import { SyncServer, type SyncChannel as EventsSyncChannel } from './events';
import {
  detectHardware, loadKeyPair, loadOrGenerateKeyPair, parseNodeManifest, verifyNodeManifest,
  type CommunityManifest, type Endpoint, type KeyPair, type NodeManifest,
} from './identity';
import { LogHub, Metrics, Tracer, configureHub, type Logger } from './observability';
import { openCommunity, type CommunityContext } from './orchestrator/community-context';
import { readCommunityManifest, writeCommunityManifest } from './orchestrator/community-files';
import { ShutdownStack } from './orchestrator/lifecycle';
import { ManifestPublisher } from './orchestrator/manifest-publisher';
import { nodeFiles, type NodeFiles } from './orchestrator/node-paths';
import { removeRuntimeFile, writeRuntimeFile } from './orchestrator/runtime-file';
import { SyncLoop } from './orchestrator/sync-loop';
import { HttpClient, HttpServer, loadOrCreateTlsCert, PinnedCerts, PubSubServer, RateLimiter, type PeerAddress } from './transport';
import { PACKAGE_VERSION } from './version';

export interface StartNodeOptions {
  /** A resolved config (`loadConfig` resolves paths). */
  readonly config: Config;
  /** Name prefixed to every log line (tests: alice, bob, carol). */
  readonly name?: string;
  /** Overrides `transport.port` (0 = a free port). */
  readonly transportPort?: number;
  /** Overrides `ui.port` for the local API (0 = a free port). */
  readonly apiPort?: number;
  /** Also log to stderr. */
  readonly logToStderr?: boolean;
  /** Write `<state>/runtime.json` so CLI commands find this node (default true). */
  readonly writeRuntimeFile?: boolean;
  /** Pace of sync rounds (tests speed it up). */
  readonly syncIntervalMs?: number;
}

export interface RunningNode extends NodeApi {
  readonly kp: KeyPair;
  readonly config: Config;
  readonly files: NodeFiles;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer;
  readonly bus: CapabilityBus;
  readonly peers: PeerRegistry;
  readonly client: HttpClient;
  readonly community: CommunityContext | null;
  readonly transportPort: number;
  readonly apiPort: number;
  readonly apiToken: string;
  /** The signed manifest this node currently serves. */
  manifest(): NodeManifest;
  /** Reconcile the event log with every known peer now. */
  syncNow(): Promise<void>;
  stop(): Promise<void>;
}

/** The addresses neighbours can reach us on: the bound host, or every LAN IPv4 address. */
export function advertisedEndpoints(host: string, port: number): Endpoint[] {
  if (host !== '0.0.0.0' && host !== '::' && host !== '') return [{ transport: 'https', host, port }];
  const hosts: string[] = [];
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) hosts.push(a.address);
  }
  if (hosts.length === 0) hosts.push('127.0.0.1');
  return hosts.map((h) => ({ transport: 'https', host: h, port }));
}

/** Peers we can call: discovered, with a verified manifest and an endpoint. */
function peerAddresses(peers: PeerRegistry): PeerAddress[] {
  return peers.all().filter((p) => p.endpoints.length > 0).map((p) => ({ nodeId: p.node_id_full, endpoint: p.endpoints[0] }));
}

export async function startNode(opts: StartNodeOptions): Promise<RunningNode> {
  const config = opts.config;
  const files = nodeFiles(config);
  const startedAt = Date.now();

  // 1. observability
  const hub = new LogHub();
  configureHub(hub, config.observability, { stderr: opts.logToStderr ?? false });
  const log = hub.logger('node', opts.name ? { node: opts.name } : {});
  const stack = new ShutdownStack(log);
  stack.push('logging', () => hub.close());
  const metrics = new Metrics({ enabled: config.observability.metrics_enabled });
  const tracer = new Tracer();

  try {
    // 2. identity
    const kp = config.identity.auto_generate ? loadOrGenerateKeyPair(config.identity.keys_dir) : loadKeyPair(config.identity.keys_dir);
    const tls = loadOrCreateTlsCert(files.tlsDir, kp);

    // 3-4. community: event log, membership view, replay engine, community manifest
    const communityId = config.community.community_id;
    const community = communityId
      ? openCommunity({ dbPath: files.eventLog, communityId, onRejected: (e, reason) => log.warn('community event refused', { event_id: e.event_id, type: e.event_type, reason }) })
      : null;
    if (community) stack.push('event log', () => community.close());
    const communityManifest = (): CommunityManifest | null => {
      if (!community) return null;
      if (community.communityId === kp.nodeIdFull && community.state.created) return community.state.toManifest(kp);
      return readCommunityManifest(files.communityManifest);
    };

    // 6. pinned certs + transport client + bus
    const pinned = new PinnedCerts(files.pinnedCerts);
    stack.push('pinned certs', () => pinned.close());
    const client = new HttpClient({ kp, pinnedCerts: pinned });
    stack.push('http client', () => client.close());
    const trust = {
      levelOf: (id: NodeId) => (community && community.state.isMember(id) ? community.state.levelOf(id) ?? 'member' : null) as 'member' | 'trusted' | 'anchor' | null,
      isRevoked: (id: NodeId) => community?.state.isRevoked(id) ?? false,
    };
    const bus = new CapabilityBus({
      nodeId: kp.nodeIdFull,
      communityId: (communityId ?? '') as never,
      config: { preferLocal: config.bus.prefer_local, localLoadThreshold: config.bus.local_load_threshold },
      transport: client,
      trust,
      onQuarantine: () => metrics.std.quarantinesTotal.inc(),
    });
    bus.trace.addListener((ev) => {
      metrics.std.requestsTotal.inc({ capability: ev.capability, result: ev.result });
      metrics.std.requestDurationMs.observe({ capability: ev.capability }, ev.ms);
    });

    // 7. peer registry; community parts (discovery, sync) start once the server's port is known
    const peers = new PeerRegistry(kp.nodeIdFull, communityId ?? '');
    let mode: Mode = 'online';
    let scope: CommunityScope | null = null;
    const currentCommunity = (): CommunityContext | null => scope?.community ?? pendingCommunity;
    let pendingCommunity: CommunityContext | null = community;
    const isAllowed = (caller: string) => {
      const c = currentCommunity();
      return !!c && c.state.isMember(caller) && !c.state.isRevoked(caller);
    };

    // 10. http server (peer transport) — providers read live state
    let publisher: ManifestPublisher | null = null;
    const pubsub = new PubSubServer();
    const noCommunity = () => new CallError('forbidden', 'this node has not joined a community yet');
    const server = new HttpServer({
      kp,
      tls,
      host: config.transport.host,
      port: opts.transportPort ?? config.transport.port,
      handler: bus,
      nodeManifest: () => publisher?.current(),
      communityManifest: () => communityManifest(),
      sync: {
        heads: async () => {
          if (!scope) throw noCommunity();
          return scope.syncServer.serveHeads();
        },
        events: async (_caller, body) => {
          if (!scope) throw noCommunity();
          return scope.syncServer.serveEvents(body as never);
        },
      },
      pubsub,
      isAllowed,
      rateLimiter: new RateLimiter({ onRateLimited: (capability, reason) => metrics.std.rateLimitedTotal.inc({ capability, reason }) }),
      metricsText: () => metrics.text(),
      traceRecent: (n) => bus.recentTraces(n),
      onSignatureFailure: (reason) => metrics.std.signatureFailuresTotal.inc({ reason }),
    });
    await server.start();
    stack.push('http server', () => server.stop());
    const transportPort = server.port;
    const endpoints = () => advertisedEndpoints(config.transport.host, transportPort);

    // 13. manifest publisher
    const profile = config.node.profile as Profile;
    const displayName = config.node.display_name || kp.nodeIdShort;
    publisher = new ManifestPublisher(
      {
        kp,
        communityId: () => currentCommunity()?.communityId ?? kp.nodeIdFull,
        displayName: () => displayName,
        profile: () => profile,
        endpoints,
        capabilities: () => bus.registry.allLocal().map((e) => toCapabilitySpec(e.descriptor)),
        hardware: () => detectHardware({ dataDir: config.community.state_dir }),
        load: () => ({ tls_fingerprint: tls.fingerprint, mode, in_flight: bus.stats().in_flight_total }),
        uptimeSeconds: () => (Date.now() - startedAt) / 1000,
      },
      {
        onPublish: (m) => scope?.discovery.updateAnnouncement({ capabilityNames: m.capabilities.map((c) => c.name) }),
        onSignificantChange: (m) => {
          const c = currentCommunity();
          if (c?.state.isMember(kp.nodeIdFull)) c.log.appendLocal('node.manifest.updated', { manifest: m as unknown as Record<string, unknown> }, kp);
        },
        onError: (err) => log.warn('manifest publish failed', { error: String(err) }),
      },
    );
    publisher.start();
    stack.push('manifest publisher', () => publisher!.stop());
    stack.push('registry wiring', bus.registry.on('change', (e) => {
      if (e.entry.is_local) publisher!.publish();
    }));

    const activate = async (c: CommunityContext, bootstrap?: readonly Endpoint[]) => {
      pendingCommunity = c;
      scope = await startCommunityScope({
        kp, community: c, bus, peers, client, log, metrics, displayName, profile,
        transportPort, transportHost: config.transport.host, discoveryConfig: config.discovery,
        knownPeersPath: files.knownPeers, bootstrap, syncIntervalMs: opts.syncIntervalMs,
      });
      stack.push('community', async () => {
        await scope?.stop();
        scope = null;
      });
      const cm = communityManifest();
      if (cm) writeCommunityManifest(files.communityManifest, cm);
      publisher!.publish();
    };
    if (community) await activate(community);

    // 11. local API (tRPC) for the UI and the CLI
    const apiToken = randomBytes(24).toString('base64url');
    const status = (): StatusReport => {
      const snapshot = bus.topologySnapshot();
      return {
        version: PACKAGE_VERSION,
        node_id: kp.nodeIdFull,
        node_id_short: kp.nodeIdShort,
        display_name: config.node.display_name || kp.nodeIdShort,
        profile,
        mode,
        community: community ? { id: community.communityId, name: community.state.name() || communityManifest()?.name || '' } : null,
        peers: peers.all().map((p) => ({
          node_id: p.node_id_full,
          node_id_short: p.node_id,
          display_name: p.display_name,
          profile: p.profile,
          endpoints: p.endpoints.map((e) => `${e.transport}://${e.host}:${e.port}`),
          source: p.source,
          last_seen_s_ago: Math.max(0, Math.round((Date.now() - p.last_seen) / 1000)),
          mode: typeof p.manifest?.load.mode === 'string' ? p.manifest.load.mode : null,
        })),
        event_log: community ? { head: community.log.head(), count: community.log.count() } : { head: 0, count: 0 },
        capabilities: { local: snapshot.capabilities_local.length, remote: snapshot.capabilities_remote.length },
        ports: { transport: transportPort, api: api.port },
        uptime_s: Math.round((Date.now() - startedAt) / 1000),
      };
    };
    const api = new ApiServer({ host: config.ui.host, port: opts.apiPort ?? config.ui.port, token: apiToken, node: { status } });
    await api.start();
    stack.push('api server', () => api.stop());

    // 15. ready
    if (opts.writeRuntimeFile ?? true) {
      writeRuntimeFile(files.runtime, {
        pid: process.pid,
        node_id: kp.nodeIdFull,
        started_at: new Date(startedAt).toISOString(),
        transport_port: transportPort,
        api_host: config.ui.host,
        api_port: api.port,
        api_token: apiToken,
      });
      stack.push('runtime file', () => removeRuntimeFile(files.runtime));
    }
    server.markReady();
    log.info('node started', { node_id: kp.nodeIdShort, transport_port: transportPort, api_port: api.port, community: communityId });

    return {
      kp,
      config,
      files,
      log,
      metrics,
      tracer,
      bus,
      peers,
      client,
      community,
      transportPort,
      apiPort: api.port,
      apiToken,
      status,
      manifest: () => publisher!.current(),
      syncNow: async () => {
        await syncLoop?.round();
      },
      stop: async () => {
        log.info('node stopping');
        await stack.unwind();
      },
    };
  } catch (err) {
    log.error('node failed to start', { error: String((err as Error)?.message ?? err) });
    await stack.unwind();
    throw err;
  }
}
