/**
 * The one typed components object a Node owns (the js-libp2p pattern): every long-lived part is
 * built as `new Part(components, init)` and reads only what it needs from here. Opening the
 * components takes the run lock, the logging hub, the keys and certificate, the peer transport
 * and the bus; each is handed to the node's ShutdownStack so it closes in reverse.
 */
import { mkdirSync } from 'node:fs';
import { realTimers, type Mode, type NodeId, type Profile, type Timers } from '../../common';
import { CapabilityBus } from '../bus';
import type { Config } from '../config';
import { nodeFiles, type NodeFiles } from '../config/node-paths';
import { acquireRunLock } from '../config/run-lock';
import { PeerRegistry } from '../discovery';
import { loadKeyPair, loadOrGenerateKeyPair, type KeyPair } from '../identity';
import type { ShutdownStack } from '../lifecycle';
import { componentLogger, configureHub, LogHub, Metrics, type ComponentLogger } from '../observability';
import { HttpClient, loadNodeTls, PinnedCerts, type TlsMaterial } from '../transport';
import type { CommunityContext } from './community-context';

export interface NodeComponents {
  /** `logger.forComponent('discovery')`: the only way a part gets a logger. */
  readonly logger: ComponentLogger;
  readonly metrics: Metrics;
  /** Epoch ms. */
  readonly now: () => number;
  readonly timers: Timers;
  readonly keys: KeyPair;
  readonly tls: TlsMaterial;
  /** The config as it is now (settings saved from the UI replace it). */
  readonly config: () => Config;
  readonly files: NodeFiles;
  readonly displayName: string;
  readonly profile: Profile;
  /** The peer transport (HTTPS client with pinned certificates). */
  readonly transport: HttpClient;
  readonly bus: CapabilityBus;
  readonly peers: PeerRegistry;
  /** The community's event log and membership, while the node belongs to one. */
  readonly community: () => CommunityContext | null;
  /** Online or offline (the emergency detector decides). */
  readonly mode: () => Mode;
}

/** What the Node keeps that the components read live. */
export interface NodeState {
  config: Config;
  mode: Mode;
  community: CommunityContext | null;
}

export interface OpenComponentsInit {
  /** Name bound to every log line (tests: alice, bob, carol). */
  readonly name?: string;
  readonly logToStderr?: boolean;
}

/** A member who is not revoked. */
export function isActiveMember(c: CommunityContext | null, id: NodeId): boolean {
  return !!c && c.state.isMember(id) && !c.state.isRevoked(id);
}

/**
 * Opens the components in dependency order (lock, logging, keys, certificate, transport, bus,
 * peers), pushing how to close each onto `stack`. Throws with what opened already on `stack`.
 */
export function openComponents(state: NodeState, stack: ShutdownStack, init: OpenComponentsInit): NodeComponents {
  const config = state.config;
  const files = nodeFiles(config);
  mkdirSync(config.community.state_dir, { recursive: true, mode: 0o700 });
  // One node per home: the lock comes before anything of the home is opened, and goes last.
  const lock = acquireRunLock(files.lock);
  stack.push('run lock', () => lock.release());
  // A hub per node, so several nodes can share one process.
  const hub = new LogHub();
  configureHub(hub, config.observability, { stderr: init.logToStderr ?? false });
  stack.push('logging', () => hub.close());
  const logger = componentLogger(hub, init.name ? { node: init.name } : {});
  const metrics = new Metrics({ enabled: config.observability.metrics_enabled });

  const keys = config.identity.auto_generate
    ? loadOrGenerateKeyPair(config.identity.keys_dir)
    : loadKeyPair(config.identity.keys_dir);
  // [transport] tls_cert/tls_key when set (docs/config.md), else the generated certificate.
  const tls = loadNodeTls(config.transport, files.tlsDir, keys);
  const community = () => state.community;

  const pinned = new PinnedCerts(files.pinnedCerts);
  stack.push('pinned certs', () => pinned.close());
  const transport = new HttpClient({ kp: keys, pinnedCerts: pinned });
  stack.push('http client', () => transport.close());
  // Trust comes from the community's membership.
  const bus = new CapabilityBus({
    nodeId: keys.nodeIdFull,
    communityId: (config.community.community_id ?? '') as never,
    config: { preferLocal: config.bus.prefer_local, localLoadThreshold: config.bus.local_load_threshold },
    transport,
    trust: {
      levelOf: (id: NodeId) =>
        (isActiveMember(state.community, id) ? (state.community?.state.levelOf(id) ?? 'member') : null) as
          'member' | 'trusted' | 'anchor' | null,
      isRevoked: (id: NodeId) => state.community?.state.isRevoked(id) ?? false,
    },
    onQuarantine: () => metrics.std.quarantinesTotal.inc(),
    log: logger.forComponent('bus'),
  });
  const peers = new PeerRegistry(keys.nodeIdFull, config.community.community_id ?? '');
  return {
    logger,
    metrics,
    now: Date.now,
    timers: realTimers,
    keys,
    tls,
    config: () => state.config,
    files,
    displayName: config.node.display_name || keys.nodeIdShort,
    profile: config.node.profile,
    transport,
    bus,
    peers,
    community,
    mode: () => state.mode,
  };
}
