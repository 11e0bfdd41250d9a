/**
 * M02 composition: runs mDNS, UDP and the unicast fallbacks, turns every sighting into a verified
 * manifest fetch and keeps the PeerRegistry current (refresh, prune, debounce).
 */
import type { Logger } from '../observability/logger';
import { getLogger } from '../observability/logging';
import { errorMessage, HearthError, neutralise } from '../../common';
import { shortOf, type Endpoint, type NodeManifest } from '../identity';
import { BackoffTable } from './backoff';
import { KnownPeers, type UnicastTarget } from './known-peers';
import { MdnsAnnouncer, MdnsBrowser } from './mdns';
import { livenessProbeMs, manifestRefreshMs, peerMaxAgeSeconds } from './pacing';
import type { PeerRecord, PeerSource } from './peers';
import type { Sighting } from './sighting';
import { realNow, realTimers, type Now, type Timers } from './timers';
import { UdpAnnouncer, UdpListener } from './udp';
import { DiscoveryError } from './errors';
import {
  DISCOVERY_TICK_MS,
  MANIFEST_FETCH_TIMEOUT_MS,
  MANIFEST_REFETCH_MIN_MS,
  SIGHTING_RETRY_BASE_MS,
  MANIFEST_REFRESH_MS,
  type DiscoveryServiceInit,
  type DiscoveryStatus,
  type PartState,
} from './discovery-types';

export {
  DISCOVERY_TICK_MS,
  MANIFEST_FETCH_TIMEOUT_MS,
  MANIFEST_REFETCH_MIN_MS,
  MANIFEST_REFRESH_MS,
  SIGHTING_RETRY_BASE_MS,
} from './discovery-types';
export type {
  DiscoveryConfig,
  DiscoveryServiceInit,
  DiscoveryStatus,
  FetchManifest,
  PartState,
} from './discovery-types';

/** Finds neighbours of our community by every means it has and keeps the registry current. */
export class DiscoveryService {
  readonly knownPeers: KnownPeers;
  private readonly now: Now;
  private readonly timers: Timers;
  private readonly log: Logger;
  private readonly transport: string;
  private readonly backoff = new BackoffTable();
  private readonly lastFetchAt = new Map<string, number>();
  private readonly inflight = new Map<string, Promise<PeerRecord | null>>();
  private mdnsAnnouncer: MdnsAnnouncer | null = null;
  private mdnsBrowser: MdnsBrowser | null = null;
  private udpAnnouncer: UdpAnnouncer | null = null;
  private udpListener: UdpListener | null = null;
  private tickTimer: unknown = null;
  private offRemoved: (() => void) | null = null;
  private abort: AbortController | null = null;
  private capabilityNames: readonly string[];
  private state: Pick<DiscoveryStatus, 'mdns' | 'udp' | 'errors'> = { mdns: 'off', udp: 'off', errors: [] };

  constructor(private readonly init: DiscoveryServiceInit) {
    this.now = init.now ?? realNow;
    this.timers = init.timers ?? realTimers;
    this.log = init.log ?? getLogger('discovery');
    this.transport = init.transport ?? 'https';
    this.capabilityNames = init.capabilityNames ?? [];
    this.knownPeers = new KnownPeers(init.knownPeersPath, { transport: this.transport, now: this.now, log: this.log });
    if (init.bootstrap?.length) this.knownPeers.addBootstrap(init.bootstrap);
  }

  get running(): boolean {
    return this.abort !== null;
  }

  /** Start every enabled part. mDNS or UDP failing to start is logged and reported in status(), never fatal. */
  async start(): Promise<void> {
    if (this.abort) return;
    this.abort = new AbortController();
    const { kp, registry, config } = this.init;
    const common = { interfaceAddress: this.init.interfaceAddress, timers: this.timers, log: this.log };
    const onSighting = (s: Sighting) => void this.handleSighting(s).catch(() => undefined);
    this.state = { mdns: 'off', udp: 'off', errors: [] };
    // A removed peer is fetched afresh when seen again (no debounce against a stale fetch time).
    this.offRemoved = registry.on((e) => e.kind === 'removed' && this.lastFetchAt.delete(e.peer.node_id_full));
    if (config.mdns_enabled) {
      const announcer = new MdnsAnnouncer({
        ...common,
        kp,
        nodeIdShort: kp.nodeIdShort,
        displayName: this.init.displayName,
        communityIdShort: communityShort(this.init.communityId),
        profile: this.init.profile,
        port: this.init.port,
        capabilityNames: this.capabilityNames,
        group: this.init.mdnsGroup,
        mdnsPort: this.init.mdnsPort,
      });
      const browser = new MdnsBrowser({
        ...common,
        registry,
        ourCommunityId: this.init.communityId,
        onSighting,
        group: this.init.mdnsGroup,
        port: this.init.mdnsPort,
      });
      this.state.mdns = await this.startPart('mdns', [announcer, browser]);
      if (this.state.mdns === 'running') [this.mdnsAnnouncer, this.mdnsBrowser] = [announcer, browser];
    }
    if (config.udp_enabled) {
      const udp = { ...common, group: config.udp_multicast_group, port: config.udp_port, now: this.now };
      const listener = new UdpListener({
        ...udp,
        ourNodeIdFull: kp.nodeIdFull,
        communityId: this.init.communityId,
        onSighting,
      });
      const announcer = new UdpAnnouncer({
        ...udp,
        kp,
        registry,
        communityId: this.init.communityId,
        displayName: this.init.displayName,
        profile: this.init.profile,
        servicePort: this.init.port,
        capabilityNames: this.capabilityNames,
        host: this.init.interfaceAddress,
      });
      this.state.udp = await this.startPart('udp', [listener, announcer]);
      if (this.state.udp === 'running') [this.udpListener, this.udpAnnouncer] = [listener, announcer];
    }
    this.tick();
  }

  private async startPart(
    name: string,
    parts: { start(): Promise<void>; stop(): Promise<void> }[],
  ): Promise<PartState> {
    const started: typeof parts = [];
    try {
      for (const p of parts) {
        await p.start();
        started.push(p);
      }
      return 'running';
    } catch (err) {
      for (const p of started.reverse()) await p.stop().catch(() => undefined);
      const message = err instanceof HearthError ? err.message : String(err);
      this.state.errors.push(`${name}: ${message}`);
      this.log.warn(`${name} discovery unavailable`, { error: message });
      return 'unavailable';
    }
  }

  /** Stop everything: sockets closed (mDNS says goodbye), timers cleared, in-flight fetches aborted. */
  async stop(): Promise<void> {
    if (!this.abort) return;
    this.abort.abort();
    this.abort = null;
    if (this.tickTimer) this.timers.clearTimeout(this.tickTimer);
    this.tickTimer = null;
    const parts = [this.udpAnnouncer, this.udpListener, this.mdnsBrowser, this.mdnsAnnouncer];
    this.udpAnnouncer = this.udpListener = null;
    this.mdnsBrowser = null;
    this.mdnsAnnouncer = null;
    for (const p of parts) {
      try {
        await p?.stop();
      } catch (err) {
        this.log.warn('discovery part did not stop cleanly', { error: String(err) });
      }
    }
    this.offRemoved?.();
    this.offRemoved = null;
    // In-flight fetches were aborted; wait for them, but never longer than one fetch timeout.
    let waitTimer: unknown = null;
    await Promise.race([
      Promise.allSettled([...this.inflight.values()]),
      new Promise<void>((r) => (waitTimer = this.timers.setTimeout(r, MANIFEST_FETCH_TIMEOUT_MS))),
    ]);
    this.timers.clearTimeout(waitTimer);
    this.inflight.clear();
    this.lastFetchAt.clear();
    this.backoff.clear();
    this.state = { mdns: 'off', udp: 'off', errors: this.state.errors };
  }

  status(): DiscoveryStatus {
    return {
      ...this.state,
      errors: [...this.state.errors],
      peers: this.init.registry.size,
      udpStats: this.udpListener ? { ...this.udpListener.stats } : null,
      foreign: (this.mdnsBrowser?.foreign ?? 0) + (this.udpListener?.stats.foreign_community ?? 0),
    };
  }

  /** Emergency mode (M09) hook: prune after 30 s instead of 90 s. */
  setPruningAggressive(enabled: boolean): void {
    this.init.registry.setPruningAggressive(enabled);
  }

  /** New capability list: re-announced at once over mDNS and UDP. */
  updateAnnouncement(opts: { capabilityNames: readonly string[] }): void {
    this.capabilityNames = opts.capabilityNames;
    this.mdnsAnnouncer?.update(opts);
    this.udpAnnouncer?.update(opts);
  }

  /**
   * Add a neighbour by address (for networks that block multicast). The address is saved and
   * retried in the background either way; resolves with the peer, or throws DiscoveryError
   * ('manifest_fetch_failed' | 'manifest_invalid') explaining the first attempt's failure.
   */
  async addPeer(host: string, port: number): Promise<PeerRecord> {
    const endpoint = this.knownPeers.addManual(host, port);
    const peer = await this.fetchAndRegister({ endpoint, source: 'manual' }, true);
    if (!peer)
      throw new DiscoveryError('manifest_invalid', `the node at ${host}:${port} is this node itself`, {
        details: { host, port },
      });
    return peer;
  }

  /** Entry point of every sighting (mDNS, UDP, or a test). Never throws for ordinary failures; returns the peer or null. */
  async handleSighting(s: Sighting): Promise<PeerRecord | null> {
    if (!this.abort || s.nodeIdFull === this.init.kp.nodeIdFull) return null;
    if (s.nodeIdFull) {
      const last = this.lastFetchAt.get(s.nodeIdFull);
      const known = this.init.registry.get(s.nodeIdFull);
      // Known and reachable where it was seen: proof of life, nothing to fetch.
      if (
        known &&
        known.endpoints.some((e) => e.host === s.host && e.port === s.port) &&
        this.init.registry.touch(s.nodeIdFull)
      )
        return this.init.registry.get(s.nodeIdFull);
      if (last !== undefined && this.now() - last < MANIFEST_REFETCH_MIN_MS && this.init.registry.touch(s.nodeIdFull)) {
        return this.init.registry.get(s.nodeIdFull);
      }
    }
    const endpoint: Endpoint = { transport: this.transport, host: s.host, port: s.port };
    // A node whose manifest could not be had is not asked again at its every sighting: on a busy
    // street an overloaded neighbour would get a fetch from every other node every few seconds (each
    // often a fresh TLS handshake, as a timed-out request closes its connection) and never catch up.
    const retryKey = `sighting:${s.nodeIdFull ?? endpointKey(endpoint)}`;
    if (!this.backoff.due(retryKey, this.now())) return null;
    try {
      const peer = await this.fetchAndRegister({ endpoint, nodeIdFull: s.nodeIdFull, source: s.source }, false);
      this.backoff.forget(retryKey);
      return peer;
    } catch {
      this.backoff.fail(retryKey, this.now(), SIGHTING_RETRY_BASE_MS);
      return null; // already logged by fetchAndRegister
    }
  }

  /** Fetch, verify and upsert. Concurrent calls for the same node/endpoint share one fetch. */
  private fetchAndRegister(
    t: { endpoint: Endpoint; nodeIdFull?: string; source: PeerSource },
    force: boolean,
  ): Promise<PeerRecord | null> {
    const key = t.nodeIdFull ?? endpointKey(t.endpoint);
    const existing = this.inflight.get(key);
    if (existing && !force) return existing;
    const p = this.doFetch(t).finally(() => {
      if (this.inflight.get(key) === p) this.inflight.delete(key);
    });
    this.inflight.set(key, p);
    return p;
  }

  private async doFetch(t: {
    endpoint: Endpoint;
    nodeIdFull?: string;
    source: PeerSource;
  }): Promise<PeerRecord | null> {
    const where = `${t.endpoint.host}:${t.endpoint.port}`;
    const started = this.now();
    const signal = AbortSignal.any([
      this.abort?.signal ?? AbortSignal.abort(),
      AbortSignal.timeout(MANIFEST_FETCH_TIMEOUT_MS),
    ]);
    let m: NodeManifest;
    try {
      m = await this.init.fetchManifest(t.endpoint, { nodeIdFull: t.nodeIdFull, signal });
    } catch (err) {
      this.log.debug('manifest fetch failed', { where, error: errorMessage(err) });
      throw new DiscoveryError(
        'manifest_fetch_failed',
        `could not get the node manifest from ${where}; is the neighbour's HearthNet running?`,
        { cause: err, details: { host: t.endpoint.host, port: t.endpoint.port } },
      );
    }
    const invalid = (why: string, cause?: unknown) => {
      this.log.debug('manifest rejected', { where, why });
      return new DiscoveryError('manifest_invalid', `the node at ${where} sent a manifest that was refused: ${why}`, {
        cause,
        details: { host: t.endpoint.host, port: t.endpoint.port },
      });
    };
    try {
      this.init.verifyManifest(m);
    } catch (err) {
      throw invalid(err instanceof Error ? err.message : 'verification failed', err);
    }
    if (t.nodeIdFull && m.node_id !== t.nodeIdFull) throw invalid('it belongs to a different node than announced');
    if (m.node_id === this.init.kp.nodeIdFull) return null;
    if (m.community_id !== this.init.communityId) throw invalid('it belongs to another community');
    if (!this.abort) return null;
    const rtt = this.now() - started;
    this.lastFetchAt.set(m.node_id, this.now());
    // A neighbour's name is shown on every screen and terminal of the street: one line, no control
    // or text-direction characters, whatever an older or hostile node signed (docs/security.md).
    const displayName = neutralise(m.display_name);
    this.knownPeers.recordSuccess(m.node_id, t.endpoint, displayName);
    const record: PeerRecord = {
      node_id: shortOf(m.node_id),
      node_id_full: m.node_id,
      display_name: displayName,
      community_id: m.community_id,
      profile: m.profile,
      endpoints: [t.endpoint, ...m.endpoints.filter((e) => endpointKey(e) !== endpointKey(t.endpoint))],
      manifest: m,
      last_seen: this.now(),
      rtt_ms: rtt,
      source: t.source,
    };
    this.init.registry.upsert(record);
    return this.init.registry.get(m.node_id);
  }

  /** Housekeeping, once a second: prune, refresh manifests of known peers (paced by street size), retry unicast targets. */
  private tick(): void {
    if (!this.abort) return;
    const now = this.now();
    const { registry } = this.init;
    if (registry.pruningAggressive) registry.pruneStale();
    else registry.pruneStale(peerMaxAgeSeconds(registry.size));
    const refreshMs = manifestRefreshMs(registry.size);
    const probeMs = livenessProbeMs(registry.size);
    for (const peer of registry.all()) {
      const key = `refresh:${peer.node_id_full}`;
      const sinceFetch = now - (this.lastFetchAt.get(peer.node_id_full) ?? 0);
      const silent = now - peer.last_seen >= probeMs && sinceFetch >= probeMs;
      if ((sinceFetch < refreshMs && !silent) || !this.backoff.due(key, now) || !peer.endpoints[0]) continue;
      this.attempt(key, { endpoint: peer.endpoints[0], nodeIdFull: peer.node_id_full, source: peer.source }, now);
    }
    for (const target of this.knownPeers.targets()) this.tryTarget(target, now);
    this.tickTimer = this.timers.setTimeout(() => this.tick(), DISCOVERY_TICK_MS);
  }

  private tryTarget(target: UnicastTarget, now: number): void {
    const { registry } = this.init;
    const key = `unicast:${endpointKey(target.endpoint)}`;
    // Skip when this node (or whoever answers at this address) is already current.
    if (target.nodeIdFull && registry.get(target.nodeIdFull)) return;
    if (registry.all().some((p) => p.endpoints.some((e) => endpointKey(e) === endpointKey(target.endpoint)))) return;
    if (!this.backoff.due(key, now)) return;
    this.attempt(key, target, now);
  }

  private attempt(key: string, t: { endpoint: Endpoint; nodeIdFull?: string; source: PeerSource }, now: number): void {
    this.backoff.hold(key, now, MANIFEST_FETCH_TIMEOUT_MS * 2); // no re-entry while in flight
    this.fetchAndRegister(t, false).then(
      () => this.backoff.succeed(key, this.now(), MANIFEST_REFRESH_MS),
      () => this.backoff.fail(key, this.now()),
    );
  }
}

function endpointKey(e: Endpoint): string {
  return `${e.transport}://${e.host}:${e.port}`;
}

function communityShort(communityId: string): string {
  try {
    return shortOf(communityId);
  } catch {
    return communityId;
  }
}
