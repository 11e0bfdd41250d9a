/** M02 §3.4 of ../shared/spec/hearthnet-reference.md: signed UDP multicast announcements — the announcer and the listener. */
import type { Logger } from '../observability/logger';
import { getLogger } from '../observability/logging';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { errnoCode, type Profile } from '../../common';
import { udpAnnounceMs } from './pacing';
import type { KeyPair } from '../identity';
import type { PeerRegistry } from './peers';
import type { SightingHandler } from './sighting';
import { realNow, realTimers, type Now, type Timers } from './timers';
import { encodeAnnouncement, parseAnnouncement, type DropReason } from './udp-packet';
import { DiscoveryError } from './errors';

export const UDP_DEFAULT_GROUP = '239.255.42.42';
export const UDP_DEFAULT_PORT = 42424;
/** A peer added or removed within this window counts as churn: announce at the active interval. */
export const UDP_CHURN_WINDOW_MS = 60_000;
/**
 * After a new peer appears, announce again this soon (unless already due), so a node that started
 * after our last announcement learns about us without waiting a whole interval.
 */
export const UDP_NEW_PEER_REANNOUNCE_MS = 500;
/** The second announcement after start comes this soon: peers starting together may have missed the first. */
export const UDP_STARTUP_REANNOUNCE_MS = 1_000;
/** Multicast hop limit 1: announcements never leave the local link. */
export const UDP_MULTICAST_TTL = 1;

export interface UdpSocketInit {
  /** Multicast group and port (config `udp_multicast_group` / `udp_port`). */
  group?: string;
  port?: number;
  /** IPv4 address of the interface to send on / join on; default lets the kernel choose. */
  interfaceAddress?: string;
  timers?: Timers;
  now?: Now;
  log?: Logger;
}

export interface UdpAnnouncerInit extends UdpSocketInit {
  kp: KeyPair;
  /** Watched for churn (added/removed) to pick the interval. */
  registry: PeerRegistry;
  communityId: string;
  displayName: string;
  profile: Profile;
  /** TCP port of our HTTP(S) server. */
  servicePort: number;
  capabilityNames: readonly string[];
  host?: string;
}

/**
 * Multicasts a signed announcement on start and 1 s later, then every DISCOVERY_UDP_INTERVAL_SECONDS.active (5 s)
 * while peers churn and .stable (30 s) once the peer set has been quiet for a minute.
 */
export class UdpAnnouncer {
  private socket: Socket | null = null;
  private timer: unknown = null;
  private nextAt = 0;
  private seq = 0;
  private lastChurnAt: number;
  private offChurn: (() => void) | null = null;
  private capabilityNames: readonly string[];
  private readonly timers: Timers;
  private readonly now: Now;
  private readonly log: Logger;
  /** Packets sent since start; useful to tests and the doctor. */
  sent = 0;

  constructor(private readonly init: UdpAnnouncerInit) {
    this.timers = init.timers ?? realTimers;
    this.now = init.now ?? realNow;
    this.log = init.log ?? getLogger('discovery');
    this.capabilityNames = init.capabilityNames;
    this.lastChurnAt = this.now();
  }

  async start(): Promise<void> {
    if (this.socket) return;
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    await bindSocket(socket, 0, undefined);
    socket.on('error', (err) => this.log.warn('udp announcer socket error', { error: err.message }));
    try {
      socket.setMulticastTTL(UDP_MULTICAST_TTL);
      socket.setMulticastLoopback(true);
      if (this.init.interfaceAddress) socket.setMulticastInterface(this.init.interfaceAddress);
    } catch (err) {
      socket.close();
      throw udpError(err, 'could not configure UDP multicast sending');
    }
    this.socket = socket;
    this.lastChurnAt = this.now();
    this.offChurn = this.init.registry.on((e) => {
      if (e.kind === 'updated') return;
      this.lastChurnAt = this.now();
      if (e.kind === 'added' && this.nextAt - this.now() > UDP_NEW_PEER_REANNOUNCE_MS)
        this.schedule(UDP_NEW_PEER_REANNOUNCE_MS);
      // Churn while waiting out a long stable interval: come back at the active pace.
      else if (this.nextAt - this.now() > this.intervalMs()) this.schedule();
    });
    this.announce();
    this.schedule(UDP_STARTUP_REANNOUNCE_MS);
  }

  async stop(): Promise<void> {
    if (!this.socket) return;
    this.offChurn?.();
    this.offChurn = null;
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = null;
    const s = this.socket;
    this.socket = null;
    await new Promise<void>((r) => s.close(() => r()));
  }

  /** New capability list: sent right away, then on the usual schedule. */
  update(opts: { capabilityNames?: readonly string[] }): void {
    if (opts.capabilityNames) this.capabilityNames = opts.capabilityNames;
    if (this.socket) this.announce();
  }

  /**
   * Current interval in ms: active while the peer set churned within the last minute, stable
   * otherwise; both stretch with the number of peers so the segment's total stays bounded (pacing.ts).
   */
  intervalMs(): number {
    const churning = this.now() - this.lastChurnAt < UDP_CHURN_WINDOW_MS;
    return udpAnnounceMs(this.init.registry.size, churning);
  }

  private announce(): void {
    const socket = this.socket;
    if (!socket) return;
    const { bytes, truncated } = encodeAnnouncement(
      {
        node_id: this.init.kp.nodeIdFull,
        community_id: this.init.communityId,
        display_name: this.init.displayName,
        profile: this.init.profile,
        port: this.init.servicePort,
        host: this.init.host,
        capabilities: this.capabilityNames,
        ts: Math.floor(this.now() / 1000),
        seq: this.seq++,
      },
      this.init.kp,
    );
    if (truncated > 0) this.log.debug('udp announcement capability list truncated', { dropped: truncated });
    socket.send(bytes, this.init.port ?? UDP_DEFAULT_PORT, this.init.group ?? UDP_DEFAULT_GROUP, (err) => {
      if (err) this.log.warn('udp announcement not sent', { error: err.message });
      else this.sent++;
    });
    this.schedule();
  }

  private schedule(ms: number = this.intervalMs()): void {
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.nextAt = this.now() + ms;
    this.timer = this.timers.setTimeout(() => this.announce(), ms);
  }
}

export interface UdpListenerInit extends UdpSocketInit {
  ourNodeIdFull: string;
  communityId: string;
  onSighting: SightingHandler;
}

/** Counters of what the listener received and why it dropped what it dropped. */
export type UdpListenerStats = Record<'received' | 'accepted' | DropReason, number>;

/**
 * Joins the multicast group (reuseAddr, so several nodes on one host can listen) and turns every
 * valid announcement into a sighting at the sender's source address. Invalid datagrams are counted.
 */
export class UdpListener {
  private socket: Socket | null = null;
  private readonly lastSeq = new Map<string, { ts: number; seq: number }>();
  private readonly now: Now;
  private readonly log: Logger;
  readonly stats: UdpListenerStats = {
    received: 0,
    accepted: 0,
    malformed: 0,
    oversize: 0,
    bad_signature: 0,
    foreign_community: 0,
    own: 0,
    stale: 0,
    replayed: 0,
  };

  constructor(private readonly init: UdpListenerInit) {
    this.now = init.now ?? realNow;
    this.log = init.log ?? getLogger('discovery');
  }

  async start(): Promise<void> {
    if (this.socket) return;
    const group = this.init.group ?? UDP_DEFAULT_GROUP;
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    await bindSocket(socket, this.init.port ?? UDP_DEFAULT_PORT, undefined);
    socket.on('error', (err) => this.log.warn('udp listener socket error', { error: err.message }));
    try {
      socket.addMembership(group, this.init.interfaceAddress);
    } catch (err) {
      socket.close();
      throw udpError(err, `could not join multicast group ${group}`);
    }
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    this.socket = socket;
  }

  async stop(): Promise<void> {
    if (!this.socket) return;
    const s = this.socket;
    this.socket = null;
    this.lastSeq.clear();
    await new Promise<void>((r) => s.close(() => r()));
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    this.stats.received++;
    const res = parseAnnouncement(msg, {
      communityId: this.init.communityId,
      ourNodeIdFull: this.init.ourNodeIdFull,
      nowSeconds: Math.floor(this.now() / 1000),
    });
    if (!res.ok) {
      this.stats[res.reason]++;
      return;
    }
    const p = res.packet;
    const last = this.lastSeq.get(p.node_id);
    if (last && (p.ts < last.ts || (p.ts === last.ts && p.seq <= last.seq))) {
      this.stats.replayed++;
      return;
    }
    this.lastSeq.set(p.node_id, { ts: p.ts, seq: p.seq });
    this.stats.accepted++;
    this.init.onSighting({ nodeIdFull: p.node_id, host: rinfo.address, port: p.port, source: 'udp' });
  }
}

function bindSocket(socket: Socket, port: number, address: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      socket.close();
      reject(udpError(err, `could not bind UDP port ${port}`));
    };
    socket.once('error', onError);
    socket.bind(port, address, () => {
      socket.off('error', onError);
      resolve();
    });
  });
}

/** 'socket_in_use' is the only socket code the reference has; the message and details say what really failed. */
function udpError(err: unknown, what: string): DiscoveryError {
  const code = errnoCode(err) ?? 'unknown';
  return new DiscoveryError(
    'socket_in_use',
    `${what} (${code}); UDP discovery is off, mDNS and known peers still work`,
    {
      cause: err,
      details: { errno: code },
    },
  );
}
