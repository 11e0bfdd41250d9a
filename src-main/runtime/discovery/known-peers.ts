/**
 * Unicast fallbacks: endpoints that worked before (per node id), bootstrap endpoints from invites and
 * hand-added ones, persisted as JSON (atomic write). Many home routers isolate Wi-Fi clients or drop
 * multicast, so these are retried directly.
 */
import type { Logger } from '../observability/logger';
import { getLogger } from '../observability/logging';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Endpoint } from '../identity';
import { realNow, type Now } from './timers';

export const KNOWN_PEERS_FILE_VERSION = 1;
/** Bounds so a long-lived node's cache cannot grow without limit. */
export const KNOWN_PEERS_MAX_NODES = 256;
export const KNOWN_ENDPOINTS_PER_NODE = 4;
export const KNOWN_BOOTSTRAP_MAX = 32;

/** An endpoint that answered with a valid manifest; `last_ok` is epoch ms. */
export interface KnownEndpoint extends Endpoint {
  readonly last_ok: number;
}

/** The file's shape (stored, so snake_case and versioned). */
export interface KnownPeersFile {
  version: number;
  /** Full node id -> endpoints that worked, most recent first. */
  nodes: Record<string, { display_name: string; endpoints: KnownEndpoint[] }>;
  /** From invites: where to look first; the node id behind them is learnt from the manifest. */
  bootstrap: Endpoint[];
  /** Added by hand (`addManual`). */
  manual: Endpoint[];
}

/** One place to try by unicast. */
export interface UnicastTarget {
  readonly endpoint: Endpoint;
  readonly nodeIdFull?: string;
  readonly source: 'cache' | 'invite' | 'manual';
}

export interface KnownPeersInit {
  /** Transport scheme for bootstrap/manual endpoints given as host and port. */
  transport?: string;
  now?: Now;
  log?: Logger;
}

const sameEndpoint = (a: Endpoint, b: Endpoint) =>
  a.host === b.host && a.port === b.port && a.transport === b.transport;

/** The known-peers cache. Every mutation is written through at once (it is tiny and rarely changes). */
type KnownNode = KnownPeersFile['nodes'][string];

export class KnownPeers {
  // A Map rather than the file's object: node ids are keys from the network, and a Map keeps insertion
  // order (= recency) without any key ever meaning something to Object.prototype.
  private nodes = new Map<string, KnownNode>();
  private data: Omit<KnownPeersFile, 'nodes'> = { version: KNOWN_PEERS_FILE_VERSION, bootstrap: [], manual: [] };
  private readonly now: Now;
  private readonly log: Logger;
  private readonly transport: string;

  constructor(
    readonly path: string | null,
    init: KnownPeersInit = {},
  ) {
    this.now = init.now ?? realNow;
    this.log = init.log ?? getLogger('discovery');
    this.transport = init.transport ?? 'https';
    this.load();
  }

  /** Read the file. A corrupt file is moved aside (never deleted) and the cache starts empty. */
  private load(): void {
    if (!this.path || !existsSync(this.path)) return;
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as { [K in keyof KnownPeersFile]?: unknown };
      if (parsed.version !== KNOWN_PEERS_FILE_VERSION || typeof parsed.nodes !== 'object' || parsed.nodes === null)
        throw new Error('unknown shape');
      this.nodes = new Map(Object.entries(parsed.nodes as Record<string, KnownNode>));
      this.data = {
        version: KNOWN_PEERS_FILE_VERSION,
        bootstrap: Array.isArray(parsed.bootstrap) ? parsed.bootstrap.filter(isEndpoint) : [],
        manual: Array.isArray(parsed.manual) ? parsed.manual.filter(isEndpoint) : [],
      };
    } catch (err) {
      const aside = `${this.path}.corrupt-${this.now()}`;
      renameSync(this.path, aside);
      this.log.warn('known-peers file was unreadable; moved aside and starting empty', {
        path: this.path,
        aside,
        error: (err as Error).message,
      });
    }
  }

  private save(): void {
    if (!this.path) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.file(), null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, this.path);
  }

  /** Remember that `endpoint` served a valid manifest of `nodeIdFull`. */
  recordSuccess(nodeIdFull: string, endpoint: Endpoint, displayName = ''): void {
    const entry = this.nodes.get(nodeIdFull) ?? { display_name: displayName, endpoints: [] };
    const ep: KnownEndpoint = {
      transport: endpoint.transport,
      host: endpoint.host,
      port: endpoint.port,
      last_ok: this.now(),
    };
    entry.endpoints = [ep, ...entry.endpoints.filter((e) => !sameEndpoint(e, ep))].slice(0, KNOWN_ENDPOINTS_PER_NODE);
    if (displayName) entry.display_name = displayName;
    this.nodes.delete(nodeIdFull);
    this.nodes.set(nodeIdFull, entry);
    const ids = [...this.nodes.keys()];
    // Insertion order = recency: evict the least recently confirmed nodes.
    for (const id of ids.slice(0, Math.max(0, ids.length - KNOWN_PEERS_MAX_NODES))) this.nodes.delete(id);
    this.save();
  }

  /** Endpoints from an invite (reference M10 `bootstrap_endpoints`). */
  addBootstrap(endpoints: readonly Endpoint[]): void {
    for (const e of endpoints)
      if (!this.data.bootstrap.some((b) => sameEndpoint(b, e))) this.data.bootstrap.push({ ...e });
    this.data.bootstrap = this.data.bootstrap.slice(-KNOWN_BOOTSTRAP_MAX);
    this.save();
  }

  /** A hand-typed neighbour address. Returns the stored endpoint. */
  addManual(host: string, port: number): Endpoint {
    const ep: Endpoint = { transport: this.transport, host, port };
    if (!this.data.manual.some((m) => sameEndpoint(m, ep))) {
      this.data.manual.push(ep);
      this.save();
    }
    return ep;
  }

  removeManual(host: string, port: number): boolean {
    const before = this.data.manual.length;
    this.data.manual = this.data.manual.filter((m) => !(m.host === host && m.port === port));
    if (this.data.manual.length === before) return false;
    this.save();
    return true;
  }

  forget(nodeIdFull: string): void {
    if (!this.nodes.delete(nodeIdFull)) return;
    this.save();
  }

  endpointsOf(nodeIdFull: string): KnownEndpoint[] {
    return [...(this.nodes.get(nodeIdFull)?.endpoints ?? [])];
  }

  /** Everything to try by unicast: manual, then invite, then cached endpoints (one per distinct address). */
  targets(): UnicastTarget[] {
    const out: UnicastTarget[] = [];
    const push = (t: UnicastTarget) => {
      if (!out.some((o) => sameEndpoint(o.endpoint, t.endpoint))) out.push(t);
    };
    for (const e of this.data.manual) push({ endpoint: e, source: 'manual' });
    for (const e of this.data.bootstrap) push({ endpoint: e, source: 'invite' });
    for (const [id, n] of this.nodes) {
      for (const e of n.endpoints)
        push({ endpoint: { transport: e.transport, host: e.host, port: e.port }, nodeIdFull: id, source: 'cache' });
    }
    return out;
  }

  snapshot(): KnownPeersFile {
    return JSON.parse(JSON.stringify(this.file())) as KnownPeersFile;
  }

  private file(): KnownPeersFile {
    const { version, bootstrap, manual } = this.data;
    return { version, nodes: Object.fromEntries(this.nodes), bootstrap, manual };
  }
}

function isEndpoint(e: unknown): e is Endpoint {
  if (typeof e !== 'object' || e === null) return false;
  const x = e as Partial<Endpoint>;
  return typeof x.host === 'string' && typeof x.transport === 'string' && Number.isInteger(x.port);
}
