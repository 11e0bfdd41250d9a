/**
 * M12 composition root: `startNode(config)` wires the parts of a HearthNet node in dependency
 * order (§17 of ../shared/spec/hearthnet-reference.md's 15 steps; the services of later issues plug in at step 8) and returns a
 * RunningNode whose `stop()` unwinds everything in reverse, best-effort.
 */
import { mkdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { CallError, type Mode, type NodeId, type Profile } from '../../common';
import { ApiServer } from '../api/server';
import { PhoneRegistry } from '../api/phone-access';
import { CapabilityBus, toCapabilitySpec } from '../bus';
import { saveConfig, type Config } from '../config';
import { PeerRegistry } from '../discovery';
import {
  detectHardware,
  loadKeyPair,
  loadOrGenerateKeyPair,
  type CommunityManifest,
  type Endpoint,
  type KeyPair,
  type NodeManifest,
} from '../identity';
import { configureHub, LogHub, Metrics, Tracer, type Logger } from '../observability';
import { JoinCodeBook } from '../onboarding';
import { loadOrCreateApiToken } from '../config/api-token';
import { communityJoining, joinCodeEndpoint } from './community-joining';
import { createOnboardingApi } from '../api/node-api/onboarding';
import { openCommunity, type CommunityContext } from './community-context';
import { readCommunityManifest, writeCommunityManifest } from '../config/community-file';
import { startCommunityScope, type CommunityScope } from './community-scope';
import { ShutdownStack } from '../lifecycle';
import { ManifestPublisher } from '../discovery/manifest-publisher';
import { startAiServices, type AiServices } from './ai-services';
import { wireBusMetrics } from '../observability/bus-metrics';
import { startTelemetry, type Telemetry } from '../observability/telemetry';
import { startEmergency, type EmergencyWiring } from './emergency-wiring';
import { createOpenAiApp } from '../openai';
import { GovernanceService } from '../services/governance';
import { offerService } from '../services/base';
import { createNodeApi, type NodeApiWithStream } from '../api/node-api/node-api';
import { nodeFiles, type NodeFiles } from '../config/node-paths';
import { acquireRunLock } from '../config/run-lock';
import { removeRuntimeFile, writeRuntimeFile } from '../config/runtime-file';
import { APP_ROOT } from '../version';
import { HttpClient, HttpServer, loadNodeTls, PinnedCerts, PubSubServer, RateLimiter } from '../transport';

export interface StartNodeOptions {
  /** A resolved config (`loadConfig` resolves paths). */
  readonly config: Config;
  /** Where the config came from; the community id is saved there after an invite is redeemed. */
  readonly configFile?: string;
  /** Name prefixed to every log line (tests: alice, bob, carol). */
  readonly name?: string;
  /** Overrides `transport.port` (0 = a free port). */
  readonly transportPort?: number;
  /** Overrides `ui.port` for the local API (0 = a free port). */
  readonly apiPort?: number;
  /** Port phones reach the app on when phone access is on (default `ui.port` + 1; 0 = a free port). */
  readonly lanPort?: number;
  /** Also log to stderr. */
  readonly logToStderr?: boolean;
  /** Write `<state>/runtime.json` so CLI commands find this node (default true). */
  readonly writeRuntimeFile?: boolean;
  /** Pace of sync rounds (tests speed it up). */
  readonly syncIntervalMs?: number;
  /** Rate limits other than the reference's (tests use low ones to hit them deterministically). */
  readonly rateLimits?: { softPerCap?: number; hardPerCap?: number; softTotal?: number; hardTotal?: number };
  /** The built web UI to serve on the local API (default: out/renderer of this checkout). */
  readonly webRoot?: string;
  /** Look for LLM servers already running on 127.0.0.1 when none is configured (default true). */
  readonly autodetectLlm?: boolean;
  /** Emergency detector overrides (tests inject probes, clocks and short debounces). */
  readonly emergency?: Parameters<typeof startEmergency>[0]['detector'];
}

export interface RunningNode {
  readonly kp: KeyPair;
  readonly config: Config;
  readonly files: NodeFiles;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer;
  readonly bus: CapabilityBus;
  readonly peerRegistry: PeerRegistry;
  readonly client: HttpClient;
  readonly transportPort: number;
  readonly apiPort: number;
  readonly apiToken: string;
  /** What the UI and the CLI call (also served over the local API). */
  readonly api: NodeApiWithStream;
  readonly emergency: EmergencyWiring;
  readonly ai: AiServices;
  /** Trackio / OTLP exporters (observability.trackio_project / otlp_endpoint), null when neither is set. */
  readonly telemetry: Telemetry | null;
  /** The community's log and membership, once the node belongs to one. */
  community(): CommunityContext | null;
  /** The community scope (its services: market, chat, files, rag), once the node belongs to one. */
  scope(): CommunityScope | null;
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

export async function startNode(opts: StartNodeOptions): Promise<RunningNode> {
  let config = opts.config;
  const files = nodeFiles(config);
  const startedAt = Date.now();
  mkdirSync(config.community.state_dir, { recursive: true, mode: 0o700 });
  // 0. one node per home: the lock comes before anything of the home is opened, and goes last
  const lock = acquireRunLock(files.lock);

  // 1. observability (a hub per node, so several nodes can share one process)
  const hub = new LogHub();
  try {
    configureHub(hub, config.observability, { stderr: opts.logToStderr ?? false });
  } catch (err) {
    lock.release();
    throw err;
  }
  const log = hub.logger('node', opts.name ? { node: opts.name } : {});
  const stack = new ShutdownStack(log);
  stack.push('run lock', () => lock.release());
  stack.push('logging', () => hub.close());
  const metrics = new Metrics({ enabled: config.observability.metrics_enabled });
  const tracer = new Tracer();

  try {
    // 2. identity
    const kp = config.identity.auto_generate
      ? loadOrGenerateKeyPair(config.identity.keys_dir)
      : loadKeyPair(config.identity.keys_dir);
    const tls = loadNodeTls(config.transport, files.tlsDir, kp);
    const profile = config.node.profile as Profile;
    const displayName = config.node.display_name || kp.nodeIdShort;

    // 3-4. community state lives in a scope that starts now (configured) or after an invite
    let scope: CommunityScope | null = null;
    let mode: Mode = 'online';
    const community = () => scope?.community ?? null;
    const open = (communityId: string) =>
      openCommunity({
        dbPath: files.eventLog,
        communityId,
        onRejected: (e, reason) =>
          log.warn('community event refused', { event_id: e.event_id, type: e.event_type, reason }),
        onError: (message, extras) => log.error(message, extras),
      });
    const communityManifest = (): CommunityManifest | null => {
      const c = community();
      if (!c) return null;
      if (c.communityId === kp.nodeIdFull && c.state.created) return c.state.toManifest(kp);
      return readCommunityManifest(files.communityManifest);
    };
    const communityName = () => community()?.state.name() || communityManifest()?.name || '';
    const isMember = (id: string) => {
      const c = community();
      return !!c && c.state.isMember(id) && !c.state.isRevoked(id);
    };

    // 6. pinned certs + transport client + bus (trust comes from the community's membership)
    const pinned = new PinnedCerts(files.pinnedCerts);
    stack.push('pinned certs', () => pinned.close());
    const client = new HttpClient({ kp, pinnedCerts: pinned });
    stack.push('http client', () => client.close());
    const bus = new CapabilityBus({
      nodeId: kp.nodeIdFull,
      communityId: (config.community.community_id ?? '') as never,
      config: { preferLocal: config.bus.prefer_local, localLoadThreshold: config.bus.local_load_threshold },
      transport: client,
      trust: {
        levelOf: (id: NodeId) =>
          (isMember(id) ? (community()!.state.levelOf(id) ?? 'member') : null) as
            'member' | 'trusted' | 'anchor' | null,
        isRevoked: (id: NodeId) => community()?.state.isRevoked(id) ?? false,
      },
      onQuarantine: () => metrics.std.quarantinesTotal.inc(),
    });
    stack.push('bus metrics', wireBusMetrics(bus, metrics));

    stack.push('governance', await offerService(bus, new GovernanceService({ keys: kp, community })));

    // 7. peer registry (discovery runs inside the community scope)
    const peers = new PeerRegistry(kp.nodeIdFull, config.community.community_id ?? '');
    let publisher: ManifestPublisher | null = null;

    // 9. emergency detector, before the AI services: a node booting into an outage never offers
    //    its internet-only models (steps 8 and 9 swapped on purpose)
    const emergency = startEmergency({
      targets: config.emergency.probe_targets,
      bus,
      peers,
      metrics,
      log: hub.logger('emergency', opts.name ? { node: opts.name } : {}),
      detector: opts.emergency,
      onMode: (m) => {
        mode = m;
        publisher?.publish();
      },
    });
    stack.push('emergency detector', () => emergency.stop());

    // 8. node-level services: LLM backends and embeddings (community services start in the scope)
    const ai = await startAiServices({
      config,
      bus,
      metrics,
      log: hub.logger('ai', opts.name ? { node: opts.name } : {}),
      autodetect: opts.autodetectLlm ?? true,
    });
    stack.push('ai services', () => ai.stop());

    // Optional telemetry to Trackio and OTLP (§23); nothing runs unless trackio_project or otlp_endpoint is set.
    const telemetry = startTelemetry({
      config,
      bus,
      peers,
      nodeId: kp.nodeIdFull,
      run: `${config.node.display_name || 'node'} (${kp.nodeIdShort})`,
      log: hub.logger('telemetry', opts.name ? { node: opts.name } : {}),
      eventLog: () => community()?.log ?? null,
      mode: () => mode,
    });
    if (telemetry) stack.push('telemetry', () => telemetry.stop());

    // 10. the peer transport server; its providers read the live state
    const joinCodes = new JoinCodeBook();
    let endpoints: () => Endpoint[] = () => [];
    const noCommunity = () => new CallError('forbidden', 'this node has not joined a community yet');
    const server = new HttpServer({
      kp,
      tls,
      host: config.transport.host,
      port: opts.transportPort ?? config.transport.port,
      handler: bus,
      nodeManifest: () => publisher?.current(),
      communityManifest: () =>
        communityManifest() ?? Promise.reject(new CallError('not_found', 'this node has no community yet')),
      sync: {
        heads: async () => {
          if (!scope) throw noCommunity();
          return scope.syncServer.serveHeads();
        },
        events: async (caller, body) => {
          if (!scope) throw noCommunity();
          return scope.syncServer.serveEvents(body as never, caller);
        },
      },
      pubsub: new PubSubServer(),
      blobs: {
        async *serveChunks(caller, req, signal) {
          if (!scope) throw noCommunity();
          yield* scope.services.files.serveChunks(caller, req, signal);
        },
      },
      join: joinCodeEndpoint({ kp, book: joinCodes, current: community, communityName, endpoints: () => endpoints() }),
      isAllowed: isMember,
      isRevoked: (id) => !!community()?.state.isRevoked(id),
      rateLimiter: new RateLimiter({
        ...opts.rateLimits,
        onRateLimited: (capability, reason) => metrics.std.rateLimitedTotal.inc({ capability, reason }),
      }),
      metricsText: () => metrics.text(),
      traceRecent: (n) => bus.recentTraces(n),
      onSignatureFailure: (reason) => metrics.std.signatureFailuresTotal.inc({ reason }),
    });
    await server.start();
    stack.push('http server', () => server.stop());
    const transportPort = server.port;
    endpoints = () => advertisedEndpoints(config.transport.host, transportPort);

    // 13. manifest publisher (republishes on a timer and when local capabilities change)
    publisher = new ManifestPublisher(
      {
        kp,
        communityId: () => community()?.communityId ?? kp.nodeIdFull,
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
          const c = community();
          if (!c || !isMember(kp.nodeIdFull)) return false;
          c.log.appendLocal('node.manifest.updated', { manifest: m as unknown as Record<string, unknown> }, kp);
          return true;
        },
        onError: (err) => log.warn('manifest publish failed', { error: String(err) }),
      },
    );
    publisher.start();
    stack.push('manifest publisher', () => publisher!.stop());
    stack.push(
      'registry wiring',
      bus.registry.on('change', (e) => {
        if (e.entry.is_local) publisher!.publish();
      }),
    );

    // 7, 12, 14: discovery, peers -> bus, sync loop — all scoped to the community
    const activate = async (c: CommunityContext, bootstrap?: readonly Endpoint[]) => {
      scope = await startCommunityScope({
        config,
        kp,
        community: c,
        bus,
        peers,
        client,
        log,
        metrics,
        displayName,
        profile,
        transportPort,
        transportHost: config.transport.host,
        discoveryConfig: config.discovery,
        knownPeersPath: files.knownPeers,
        bootstrap,
        syncIntervalMs: opts.syncIntervalMs,
      });
      stack.push('community', async () => {
        const s = scope;
        scope = null;
        await s?.stop();
        c.close();
      });
      const cm = communityManifest();
      if (cm) writeCommunityManifest(files.communityManifest, cm);
      publisher!.publish();
    };
    if (config.community.community_id) {
      const c = open(config.community.community_id);
      try {
        await activate(c);
      } catch (err) {
        c.close();
        throw err;
      }
    }

    const joining = communityJoining({
      kp,
      displayName,
      client,
      log,
      open,
      activate,
      current: community,
      communityName,
      communityManifestPath: files.communityManifest,
      remember: (communityId) => {
        config = { ...config, community: { ...config.community, community_id: communityId } };
        if (opts.configFile) saveConfig(config, opts.configFile);
      },
    });

    // 11. local API (tRPC + streams) for the UI and the CLI
    const apiToken = loadOrCreateApiToken(files.apiToken);
    const phones = new PhoneRegistry(files.phones);
    let apiPort = 0;
    let apiServer: ApiServer | null = null;
    const api = createNodeApi({
      kp,
      displayName,
      profile,
      startedAt,
      bus,
      peers,
      endpoints,
      transportPort: () => transportPort,
      apiPort: () => apiPort,
      mode: () => mode,
      community,
      scope: () => scope,
      communityName,
      joinByInvite: joining.joinByInvite,
      onboarding: createOnboardingApi({
        kp,
        book: joinCodes,
        endpoints,
        communityName,
        phones,
        community,
        startCommunity: joining.startCommunity,
        joinByInvite: joining.joinByInvite,
        apiServer: () => apiServer,
      }),
      modelsDir: config.node.models_dir,
      onModelAdded: (path) => ai.serveModelFile(path),
      config: () => config,
      configFile: opts.configFile,
      onConfigSaved: (c) => (config = c),
      emergencyState: () => emergency.stateBus.current(),
      onEmergencyChange: (listener) => emergency.stateBus.on(listener),
      fetchManifest: (endpoint) => client.fetchManifest(endpoint, { timeoutMs: 2_000 }),
    });
    apiServer = new ApiServer({
      host: config.ui.host,
      port: opts.apiPort ?? config.ui.port,
      token: apiToken,
      node: api,
      phones,
      // Phones reach the app on the next port (7861 by default); tests use any free port.
      lanPort: opts.lanPort ?? ((opts.apiPort ?? config.ui.port) === 0 ? 0 : (opts.apiPort ?? config.ui.port) + 1),
      mount: (app) => app.route('/', createOpenAiApp({ bus, token: apiToken })),
      webRoot: opts.webRoot ?? (APP_ROOT ? join(APP_ROOT, 'out/renderer') : undefined),
    });
    const startedApi = apiServer;
    await startedApi.start();
    stack.push('api server', () => startedApi.stop());
    apiPort = startedApi.port;

    // 15. ready
    if (opts.writeRuntimeFile ?? true) {
      writeRuntimeFile(files.runtime, {
        pid: process.pid,
        node_id: kp.nodeIdFull,
        started_at: new Date(startedAt).toISOString(),
        transport_port: transportPort,
        api_host: config.ui.host,
        api_port: apiPort,
        api_token: apiToken,
      });
      stack.push('runtime file', () => removeRuntimeFile(files.runtime));
    }
    server.markReady();
    log.info('node started', {
      node_id: kp.nodeIdShort,
      transport_port: transportPort,
      api_port: apiPort,
      community: config.community.community_id,
    });

    return {
      kp,
      get config() {
        return config;
      },
      files,
      log,
      metrics,
      tracer,
      bus,
      peerRegistry: peers,
      client,
      transportPort,
      apiPort,
      apiToken,
      api,
      emergency,
      ai,
      telemetry,
      community,
      scope: () => scope,
      manifest: () => publisher!.current(),
      syncNow: async () => {
        await scope?.syncLoop.roundAll();
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
