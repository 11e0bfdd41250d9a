/**
 * M12 composition root (reference §17 of ../shared/spec/hearthnet-reference.md): a Node owns
 * its components and starts its parts in dependency order, stopping them in reverse. Read
 * `#start` as the list of parts; `startNode(opts)` is `new Node(opts)` started.
 */
import { join } from 'node:path';
import type { Mode } from '../../common';
import { ApiServer } from '../api/server';
import { PhoneRegistry } from '../api/phone-access';
import { createNodeApi, type NodeApiWithStream } from '../api/node-api/node-api';
import { createOnboardingApi } from '../api/node-api/onboarding';
import { saveConfig } from '../config';
import { loadOrCreateApiToken } from '../config/api-token';
import { removeRuntimeFile, writeRuntimeFile } from '../config/runtime-file';
import type { ManifestPublisher } from '../discovery/manifest-publisher';
import type { Endpoint } from '../identity';
import { ShutdownStack, StartGate, startAll, stopAll, type Startable } from '../lifecycle';
import type { Logger } from '../observability';
import { wireBusMetrics } from '../observability/bus-metrics';
import { Telemetry } from '../observability/telemetry';
import { JoinCodeBook } from '../onboarding';
import { createOpenAiApp } from '../openai';
import { offerService } from '../services/base';
import { GovernanceService } from '../services/governance';
import { APP_ROOT } from '../version';
import { AiServices } from './ai-services';
import { communityJoining } from './community-joining';
import { openComponents, type NodeComponents, type NodeState } from './components';
import { EmergencyWiring } from './emergency-wiring';
import { createManifestPublisher } from './manifest-wiring';
import { CommunityMembership } from './membership';
import type { RunningNode, StartNodeOptions } from './options';
import { advertisedEndpoints, createPeerServer } from './peer-server';
import { errorMessage } from '../../common/error-message';

export class Node implements Startable {
  readonly #gate = new StartGate(
    () => this.#start(),
    () => this.#stop(),
  );
  readonly #stack = new ShutdownStack({ warn: (m, x) => this.#log?.warn(m, x) });
  #log: Logger | null = null;
  readonly #state: NodeState;
  #view: RunningNode | null = null;
  #startedAt = 0;

  constructor(private readonly opts: StartNodeOptions) {
    this.#state = { config: opts.config, mode: 'online', community: null };
  }

  // Bound, so callers may pass them around (`onQuit: node.stop`).
  readonly start = (): Promise<void> => this.#gate.start();
  readonly stop = (): Promise<void> => this.#gate.stop();

  /** The parts, in dependency order; each one's undo goes on the stack as soon as it runs. */
  async #start(): Promise<void> {
    const { opts } = this;
    const state = this.#state;
    this.#startedAt = Date.now();
    const c = openComponents(state, this.#stack, { name: opts.name, logToStderr: opts.logToStderr });
    const log = (this.#log = c.logger.forComponent('node'));
    const stack = this.#stack;
    try {
      stack.push('bus metrics', wireBusMetrics(c.bus, c.metrics));
      stack.push('governance', await offerService(c.bus, new GovernanceService(c)));

      // Node-level parts, started in this order and stopped in reverse. Emergency before the AI
      // services: a node booting into an outage never offers its internet-only models (reference
      // steps 8 and 9 swapped on purpose). Telemetry (Trackio / OTLP, §23) runs only when configured.
      let publisher: ManifestPublisher | null = null;
      const emergency = new EmergencyWiring(c, {
        detector: opts.emergency,
        onMode: (m: Mode) => {
          state.mode = m;
          publisher?.publish();
        },
      });
      const ai = new AiServices(c, { autodetect: opts.autodetectLlm ?? true });
      const telemetry = new Telemetry(c);
      const parts = [emergency, ai, telemetry];
      await startAll(parts);
      stack.push('node parts', () =>
        stopAll(parts, (_p, err) => log.warn('a part failed to stop', { error: errorMessage(err) })),
      );

      let transportPort = 0;
      const endpoints = () => advertisedEndpoints(state.config.transport.host, transportPort);
      const membership = new CommunityMembership(c, {
        state,
        transportPort: () => transportPort,
        syncIntervalMs: opts.syncIntervalMs,
        onJoined: () => publisher?.publish(),
      });

      // The peer transport server; its providers read the live state.
      const joinCodes = new JoinCodeBook();
      const server = createPeerServer(c, {
        port: opts.transportPort ?? state.config.transport.port,
        joinCodes,
        scope: () => membership.scope(),
        nodeManifest: () => publisher?.current(),
        communityManifest: () => membership.manifest(),
        communityName: () => membership.name(),
        endpoints,
        rateLimits: opts.rateLimits,
      });
      await server.start();
      stack.push('http server', () => server.stop());
      transportPort = server.port;

      // Our signed manifest, republished on a timer and whenever local capabilities change.
      publisher = createManifestPublisher(c, { endpoints, startedAt: this.#startedAt, membership, log });
      publisher.start();
      const pub = publisher;
      stack.push('manifest publisher', () => pub.stop());
      stack.push(
        'registry wiring',
        c.bus.registry.on('change', (e) => {
          if (e.entry.is_local) pub.publish();
        }),
      );

      // The community-scoped set: discovery, peers -> bus, sync loop, community services.
      await membership.start();
      stack.push('community', () => membership.stop());

      const apiParts = await this.#startLocalApi(c, {
        membership,
        emergency,
        ai,
        endpoints,
        joinCodes,
        log,
        transportPort: () => transportPort,
      });
      const transport = server.port;
      if (opts.writeRuntimeFile ?? true) {
        writeRuntimeFile(c.files.runtime, {
          pid: process.pid,
          node_id: c.keys.nodeIdFull,
          started_at: new Date(this.#startedAt).toISOString(),
          transport_port: transport,
          api_host: state.config.ui.host,
          api_port: apiParts.apiServer.port,
          api_token: apiParts.apiToken,
        });
        stack.push('runtime file', () => removeRuntimeFile(c.files.runtime));
      }
      this.#view = {
        kp: c.keys,
        get config() {
          return state.config;
        },
        files: c.files,
        log,
        metrics: c.metrics,
        bus: c.bus,
        peerRegistry: c.peers,
        client: c.transport,
        transportPort: transport,
        apiPort: apiParts.apiServer.port,
        apiToken: apiParts.apiToken,
        api: apiParts.api,
        emergency,
        ai,
        telemetry,
        community: c.community,
        scope: () => membership.scope(),
        manifest: () => pub.current(),
        syncNow: async () => {
          await membership.scope()?.syncLoop.roundAll();
        },
        stop: () => this.stop(),
      };
      server.markReady();
      log.info('node started', {
        node_id: c.keys.nodeIdShort,
        transport_port: transport,
        api_port: apiParts.apiServer.port,
        community: state.config.community.community_id,
      });
    } catch (err) {
      log.error('node failed to start', { error: errorMessage(err) });
      throw err; // the gate runs #stop, which unwinds what started
    }
  }

  /** The local API (tRPC + streams, OpenAI-compatible routes) for the UI and the CLI. */
  async #startLocalApi(
    c: NodeComponents,
    p: {
      membership: CommunityMembership;
      emergency: EmergencyWiring;
      ai: AiServices;
      endpoints: () => Endpoint[];
      joinCodes: JoinCodeBook;
      log: Logger;
      transportPort: () => number;
    },
  ): Promise<{ api: NodeApiWithStream; apiServer: ApiServer; apiToken: string }> {
    const { opts } = this;
    const state = this.#state;
    const communityName = () => p.membership.name();
    const joining = communityJoining({
      kp: c.keys,
      displayName: c.displayName,
      client: c.transport,
      log: p.log,
      open: (id) => p.membership.open(id),
      activate: (community, bootstrap) => p.membership.join(community, bootstrap),
      current: c.community,
      communityName,
      communityManifestPath: c.files.communityManifest,
      remember: (communityId) => {
        state.config = { ...state.config, community: { ...state.config.community, community_id: communityId } };
        if (opts.configFile) saveConfig(state.config, opts.configFile);
      },
    });
    const apiToken = loadOrCreateApiToken(c.files.apiToken);
    const phones = new PhoneRegistry(c.files.phones);
    let apiServer: ApiServer | null = null;
    const api = createNodeApi({
      kp: c.keys,
      displayName: c.displayName,
      profile: c.profile,
      startedAt: this.#startedAt,
      bus: c.bus,
      peers: c.peers,
      endpoints: p.endpoints,
      transportPort: p.transportPort,
      apiPort: () => apiServer?.port ?? 0,
      mode: c.mode,
      community: c.community,
      scope: () => p.membership.scope(),
      communityName,
      joinByInvite: joining.joinByInvite,
      onboarding: createOnboardingApi({
        kp: c.keys,
        book: p.joinCodes,
        endpoints: p.endpoints,
        communityName,
        phones,
        community: c.community,
        startCommunity: joining.startCommunity,
        joinByInvite: joining.joinByInvite,
        apiServer: () => apiServer,
      }),
      modelsDir: state.config.node.models_dir,
      onModelAdded: (path) => p.ai.serveModelFile(path),
      config: c.config,
      configFile: opts.configFile,
      onConfigSaved: (saved) => (state.config = saved),
      emergencyState: () => p.emergency.stateBus.current(),
      onEmergencyChange: (listener) => p.emergency.stateBus.on(listener),
      fetchManifest: (endpoint) => c.transport.fetchManifest(endpoint, { timeoutMs: 2_000 }),
    });
    const uiPort = opts.apiPort ?? state.config.ui.port;
    const server = new ApiServer({
      host: state.config.ui.host,
      port: uiPort,
      token: apiToken,
      node: api,
      phones,
      // Phones reach the app on the next port (7861 by default); tests use any free port.
      lanPort: opts.lanPort ?? (uiPort === 0 ? 0 : uiPort + 1),
      mount: (app) => app.route('/', createOpenAiApp({ bus: c.bus, token: apiToken })),
      webRoot: opts.webRoot ?? (APP_ROOT ? join(APP_ROOT, 'out/renderer') : undefined),
    });
    apiServer = server;
    await server.start();
    this.#stack.push('api server', () => server.stop());
    return { api, apiServer: server, apiToken };
  }

  async #stop(): Promise<void> {
    this.#log?.info('node stopping');
    await this.#stack.unwind();
  }

  /**
   * What callers hold while the node runs: a plain object whose ports, keys and parts are those
   * of the current run (config, community and scope read live). Throws before the first start.
   */
  view(): RunningNode {
    if (!this.#view) throw new Error('the node has not started yet (call start() first)');
    return this.#view;
  }
}

/** Start a node: its parts in order; if one fails, those already started stop and the error is rethrown. */
export async function startNode(opts: StartNodeOptions): Promise<RunningNode> {
  const node = new Node(opts);
  await node.start();
  return node.view();
}
