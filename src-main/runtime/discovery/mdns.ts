/** M02 §3.2 of ../shared/spec/hearthnet-reference.md: mDNS / DNS-SD announcer and browser for `_hearthnet._tcp.local` (multicast-dns). */
import type { Logger } from '../observability/logger';
import { getLogger } from '../observability/logging';
import { networkInterfaces } from 'node:os';
import makeMdns from 'multicast-dns';
import type { Answer } from 'dns-packet';
import { errnoCode, type Profile } from '../../common';
import { shortOf, type KeyPair } from '../identity';
import {
  buildRecords,
  hostName,
  instanceName,
  MDNS_RECORD_TTL_SECONDS,
  MDNS_SERVICE,
  parseResponse,
  type MdnsIdentity,
} from './mdns-records';
import type { PeerRegistry } from './peers';
import type { SightingHandler } from './sighting';
import { realTimers, type Timers } from './timers';
import { DiscoveryError } from './errors';

export const MDNS_DEFAULT_GROUP = '224.0.0.251';
export const MDNS_DEFAULT_PORT = 5353;
/** RFC 6762 §8.3: announce at least twice, one second apart. */
export const MDNS_REANNOUNCE_DELAY_MS = 1_000;
/** Browser query pace: first re-query after 1 s, doubling up to the cap (liveness is also kept by manifest refresh). */
export const MDNS_QUERY_FIRST_INTERVAL_MS = 1_000;
export const MDNS_QUERY_MAX_INTERVAL_MS = 20_000;
/** The cap grows by this much per known peer, so the answers a node receives per second stay flat. */
export const MDNS_QUERY_SLOT_MS = 1_000;
/**
 * Known answers sent with a query (RFC 6762 §7.1): responders listed there stay silent. Capped
 * so the query fits one unfragmented datagram; the rest answer as usual.
 */
export const MDNS_KNOWN_ANSWERS_MAX = 16;
/** A query heard this soon after our own is taken for our own echo (multicast loopback). */
const OWN_ECHO_MS = 100;

/** Socket options shared by announcer and browser; tests in namespaces or on loopback set them. */
export interface MdnsSocketInit {
  /** IPv4 address of the interface to join and send on; default: every interface. */
  interfaceAddress?: string;
  /** Address the socket binds to; must not be a unicast address or multicast is not received. */
  bindAddress?: string;
  group?: string;
  port?: number;
  timers?: Timers;
  log?: Logger;
}

type Mdns = ReturnType<typeof makeMdns>;

/** Open a multicast-dns socket; EADDRINUSE / EACCES / anything at bind time -> DiscoveryError('mdns_unavailable'). */
async function openMdns(init: MdnsSocketInit, log: Logger): Promise<Mdns> {
  let m: Mdns;
  try {
    m = makeMdns({
      port: init.port ?? MDNS_DEFAULT_PORT,
      ip: init.group ?? MDNS_DEFAULT_GROUP,
      interface: init.interfaceAddress,
      bind: init.bindAddress ?? '0.0.0.0',
      reuseAddr: true,
      loopback: true,
    });
  } catch (err) {
    throw mdnsUnavailable(err);
  }
  // multicast-dns may emit 'error' more than once for one failed bind; a permanent listener keeps
  // every one of them from becoming an uncaught exception. After start, trouble is logged, never fatal.
  let starting = true;
  m.on('error', (err: Error) => {
    if (!starting) log.warn('mdns socket error', { error: err.message });
  });
  m.on('warning', (err: Error) => log.debug('mdns warning', { error: err.message }));
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => {
      m.off('ready', onReady);
      m.destroy();
      reject(mdnsUnavailable(err));
    };
    const onReady = () => {
      m.off('error', onError);
      resolve();
    };
    m.once('error', onError);
    m.once('ready', onReady);
  }).finally(() => (starting = false));
  return m;
}

function mdnsUnavailable(err: unknown): DiscoveryError {
  const code = errnoCode(err) ?? 'unknown';
  return new DiscoveryError(
    'mdns_unavailable',
    `mDNS could not start (${code}); neighbours will still be found by UDP and known peers`,
    {
      cause: err,
      details: { errno: code },
    },
  );
}

function closeMdns(m: Mdns): Promise<void> {
  return new Promise((r) => m.destroy(() => r()));
}

/** Every non-internal IPv4 address of this host, or 127.0.0.1 when there is none. */
export function localIPv4Addresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address);
  }
  return out.length ? out : ['127.0.0.1'];
}

export interface MdnsAnnouncerInit extends MdnsSocketInit {
  kp: KeyPair;
  nodeIdShort: string;
  displayName: string;
  communityIdShort: string;
  profile: Profile;
  /** TCP port of our HTTP(S) server. */
  port: number;
  capabilityNames: readonly string[];
  /** Multicast port override lives in `mdnsPort` because `port` is the service port. */
  mdnsPort?: number;
}

/** Publishes our instance: answers queries, announces on start and update, says goodbye (TTL 0) on stop. */
export class MdnsAnnouncer {
  private mdns: Mdns | null = null;
  private reannounce: unknown = null;
  private capabilityNames: readonly string[];
  private readonly timers: Timers;
  private readonly log: Logger;

  constructor(private readonly init: MdnsAnnouncerInit) {
    this.capabilityNames = init.capabilityNames;
    this.timers = init.timers ?? realTimers;
    this.log = init.log ?? getLogger('discovery');
  }

  async start(): Promise<void> {
    if (this.mdns) return;
    const m = await openMdns({ ...this.init, port: this.init.mdnsPort }, this.log);
    m.on('query', (q) => {
      if (!q.questions.some((question) => this.answers(question.name, question.type))) return;
      // Known-answer suppression: the querier already holds our PTR with at least half its TTL left.
      const ours = instanceName(this.init.nodeIdShort);
      const known = q.answers.some(
        (a) =>
          a.type === 'PTR' &&
          a.name.toLowerCase() === MDNS_SERVICE &&
          a.data.toLowerCase() === ours &&
          (a.ttl ?? 0) >= MDNS_RECORD_TTL_SECONDS / 2,
      );
      if (!known) this.announce();
    });
    this.mdns = m;
    this.announce();
    this.reannounce = this.timers.setTimeout(() => this.announce(), MDNS_REANNOUNCE_DELAY_MS);
  }

  async stop(): Promise<void> {
    const m = this.mdns;
    if (!m) return;
    this.mdns = null;
    if (this.reannounce) this.timers.clearTimeout(this.reannounce);
    this.reannounce = null;
    await new Promise<void>((r) => m.respond(buildRecords(this.identity(), 0), () => r()));
    await closeMdns(m);
  }

  update(opts: { capabilityNames?: readonly string[] }): void {
    if (opts.capabilityNames) this.capabilityNames = opts.capabilityNames;
    this.announce();
  }

  private identity(): MdnsIdentity {
    return {
      nodeIdShort: this.init.nodeIdShort,
      nodeIdFull: this.init.kp.nodeIdFull,
      communityIdShort: this.init.communityIdShort,
      profile: this.init.profile,
      port: this.init.port,
      capabilityNames: this.capabilityNames,
      addresses: this.init.interfaceAddress ? [this.init.interfaceAddress] : localIPv4Addresses(),
    };
  }

  private answers(name: string, type: string): boolean {
    const n = name.toLowerCase();
    if (n === MDNS_SERVICE) return type === 'PTR' || type === 'ANY';
    return n === instanceName(this.init.nodeIdShort) || n === hostName(this.init.nodeIdShort);
  }

  private announce(): void {
    this.mdns?.respond(buildRecords(this.identity()), (err) => {
      if (err) this.log.warn('mdns announcement not sent', { error: err.message });
    });
  }
}

export interface MdnsBrowserInit extends MdnsSocketInit {
  /** Used to skip ourselves and to drop a peer that says goodbye. */
  registry: PeerRegistry;
  /** Full community id; compared by its short form with the TXT `c=`. */
  ourCommunityId: string;
  onSighting: SightingHandler;
}

/**
 * Queries for `_hearthnet._tcp.local` on start and then with a doubling interval; turns answers into
 * sightings. Paced for a big street: the interval cap grows with the peers known, a query heard
 * from a neighbour postpones ours (RFC 6762 §7.3, so about one query per interval on the segment),
 * and ours lists the instances we know (§7.1) so they need not answer.
 */
export class MdnsBrowser {
  private mdns: Mdns | null = null;
  private timer: unknown = null;
  private interval = MDNS_QUERY_FIRST_INTERVAL_MS;
  private lastQueryAt = -Infinity;
  /** Our queries postponed because a neighbour asked the same. */
  suppressed = 0;
  private readonly ourCommunityShort: string;
  private readonly timers: Timers;
  private readonly log: Logger;
  /** Instances ignored because they belong to another community. */
  foreign = 0;

  constructor(private readonly init: MdnsBrowserInit) {
    this.timers = init.timers ?? realTimers;
    this.log = init.log ?? getLogger('discovery');
    let short = init.ourCommunityId;
    try {
      short = shortOf(init.ourCommunityId);
    } catch {
      // A community id that is not a key (only in tests) is compared as is.
    }
    this.ourCommunityShort = short;
  }

  async start(): Promise<void> {
    if (this.mdns) return;
    const m = await openMdns(this.init, this.log);
    m.on('response', (res, rinfo) => this.onResponse([...res.answers, ...res.additionals], rinfo.address));
    m.on('query', (q) => this.onQuery(q.questions));
    this.mdns = m;
    this.interval = MDNS_QUERY_FIRST_INTERVAL_MS;
    this.query();
  }

  async stop(): Promise<void> {
    const m = this.mdns;
    if (!m) return;
    this.mdns = null;
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = null;
    await closeMdns(m);
  }

  /** Ask again now (e.g. after the network changed), resetting the back-off. */
  queryNow(): void {
    this.interval = MDNS_QUERY_FIRST_INTERVAL_MS;
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.query();
  }

  private maxInterval(): number {
    return Math.max(MDNS_QUERY_MAX_INTERVAL_MS, this.init.registry.size * MDNS_QUERY_SLOT_MS);
  }

  private query(): void {
    const m = this.mdns;
    if (!m) return;
    const answers: Answer[] = this.init.registry
      .all()
      .slice(0, MDNS_KNOWN_ANSWERS_MAX)
      .map((p) => ({ name: MDNS_SERVICE, type: 'PTR', ttl: MDNS_RECORD_TTL_SECONDS, data: instanceName(p.node_id) }));
    this.lastQueryAt = performance.now();
    m.query({ questions: [{ name: MDNS_SERVICE, type: 'PTR' }], answers }, (err: unknown) => {
      if (err) this.log.warn('mdns query not sent', { error: (err as Error).message });
    });
    this.timer = this.timers.setTimeout(() => this.query(), this.interval);
    this.interval = Math.min(this.interval * 2, this.maxInterval());
  }

  /** A neighbour asked for our service: its answers reach us too, so our own query can wait. */
  private onQuery(questions: ReadonlyArray<{ name: string; type: string }>): void {
    if (!this.mdns || performance.now() - this.lastQueryAt < OWN_ECHO_MS) return;
    if (!questions.some((q) => q.name.toLowerCase() === MDNS_SERVICE && (q.type === 'PTR' || q.type === 'ANY'))) return;
    // Only once the start-up burst is over: new nodes keep their quick first queries.
    if (this.interval < this.maxInterval()) return;
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.suppressed++;
    this.timer = this.timers.setTimeout(() => this.query(), this.interval);
  }

  private onResponse(records: Answer[], sourceAddress: string): void {
    for (const inst of parseResponse(records)) {
      if (inst.nodeIdFull === this.init.registry.ourNodeIdFull) continue;
      if (inst.communityIdShort !== this.ourCommunityShort) {
        this.foreign++;
        continue;
      }
      if (inst.goodbye) {
        this.init.registry.remove(inst.nodeIdFull);
        continue;
      }
      // The packet's source address is proven reachable; A records may list other interfaces.
      const host = sourceAddress || inst.addresses[0];
      if (host) this.init.onSighting({ nodeIdFull: inst.nodeIdFull, host, port: inst.port, source: 'mdns' });
    }
  }
}
