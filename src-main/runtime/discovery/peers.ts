/** M02 §3.1 of ../shared/spec/hearthnet-reference.md: the peer registry — who is reachable right now, with their verified manifest. */
import type { NodeId, PeerRefusal, Profile } from '../../common';
import type { Endpoint, NodeManifest } from '../identity';
import { realNow, type Now } from './timers';

/** How a peer was found. `cache`/`manual`/`invite` are the unicast fallbacks of known-peers. */
export const PEER_SOURCES = ['mdns', 'udp', 'relay', 'cache', 'manual', 'invite'] as const;
export type PeerSource = (typeof PEER_SOURCES)[number];

/** A reachable peer. Field names follow the reference (snake_case). */
export interface PeerRecord {
  /** Short id `ed25519:XXXX-XXXX-XXXX-XXXX`, for people and logs. */
  readonly node_id: NodeId;
  readonly node_id_full: NodeId;
  readonly display_name: string;
  readonly community_id: string;
  readonly profile: Profile;
  /** The endpoint that answered first, then the manifest's own endpoints. */
  readonly endpoints: readonly Endpoint[];
  readonly manifest: NodeManifest | null;
  /** Epoch milliseconds of the last sighting or successful manifest fetch. */
  readonly last_seen: number;
  /** Round-trip of the last manifest fetch, in milliseconds. */
  readonly rtt_ms: number | null;
  readonly source: PeerSource;
}

export const PEER_EVENT_KINDS = ['added', 'removed', 'updated'] as const;
export type PeerEventKind = (typeof PEER_EVENT_KINDS)[number];

export interface PeerEvent {
  readonly kind: PeerEventKind;
  readonly peer: PeerRecord;
}

/** Default staleness limits (§6): 90 s normally, 30 s when pruning aggressively (offline mode). */
export const PEER_MAX_AGE_SECONDS = 90;
export const PEER_MAX_AGE_AGGRESSIVE_SECONDS = 30;
/** Events a slow async subscriber may have queued before the oldest are dropped. */
export const SUBSCRIBER_QUEUE_MAX = 1024;

export interface PeerRegistryInit {
  now?: Now;
}

/**
 * In-memory peers keyed by full node id. Emits `added` on first upsert, `updated` when anything
 * but `last_seen`/`rtt_ms`/`source` changed (so refreshes do not spam listeners), `removed` on remove/prune.
 * Ignores records about ourselves.
 */
export class PeerRegistry {
  private readonly peers = new Map<string, PeerRecord>();
  private readonly refusals = new Map<string, PeerRefusal>();
  private readonly listeners = new Set<(e: PeerEvent) => void>();
  private readonly now: Now;
  private aggressive = false;

  constructor(
    readonly ourNodeIdFull: string,
    readonly communityId: string,
    init: PeerRegistryInit = {},
  ) {
    this.now = init.now ?? realNow;
  }

  /** Insert or replace a peer. Returns true when the peer is new. Records about ourselves are ignored (false). */
  upsert(record: PeerRecord): boolean {
    if (record.node_id_full === this.ourNodeIdFull) return false;
    const old = this.peers.get(record.node_id_full);
    this.peers.set(record.node_id_full, record);
    if (!old) this.emit({ kind: 'added', peer: record });
    else if (meaningfullyDifferent(old, record)) this.emit({ kind: 'updated', peer: record });
    return !old;
  }

  /** Refresh `last_seen` (and optionally `rtt_ms`) without refetching; no event. Returns false if unknown. */
  touch(nodeIdFull: string, rttMs?: number | null): boolean {
    const old = this.peers.get(nodeIdFull);
    if (!old) return false;
    this.peers.set(nodeIdFull, { ...old, last_seen: this.now(), rtt_ms: rttMs === undefined ? old.rtt_ms : rttMs });
    return true;
  }

  /** Record why a peer refuses us (null: it answered, so it does not). No event. */
  noteRefusal(nodeIdFull: string, reason: PeerRefusal | null): void {
    if (reason && this.peers.has(nodeIdFull)) this.refusals.set(nodeIdFull, reason);
    else this.refusals.delete(nodeIdFull);
  }

  refusalOf(nodeIdFull: string): PeerRefusal | null {
    return this.refusals.get(nodeIdFull) ?? null;
  }

  remove(nodeIdFull: string): boolean {
    const old = this.peers.get(nodeIdFull);
    if (!old) return false;
    this.peers.delete(nodeIdFull);
    this.refusals.delete(nodeIdFull);
    this.emit({ kind: 'removed', peer: old });
    return true;
  }

  get(nodeIdFull: string): PeerRecord | null {
    return this.peers.get(nodeIdFull) ?? null;
  }

  all(): PeerRecord[] {
    return [...this.peers.values()];
  }

  forCommunity(communityId: string): PeerRecord[] {
    return this.all().filter((p) => p.community_id === communityId);
  }

  get size(): number {
    return this.peers.size;
  }

  /** Remove peers not seen for `maxAgeSeconds` (default 90 s, or 30 s in aggressive mode). Returns how many. */
  pruneStale(maxAgeSeconds: number = this.aggressive ? PEER_MAX_AGE_AGGRESSIVE_SECONDS : PEER_MAX_AGE_SECONDS): number {
    const cutoff = this.now() - maxAgeSeconds * 1000;
    let removed = 0;
    for (const p of this.all()) {
      if (p.last_seen < cutoff && this.remove(p.node_id_full)) removed++;
    }
    return removed;
  }

  /** Toggled by emergency mode (M09): offline means peers vanish faster, so prune at 30 s instead of 90 s. */
  setPruningAggressive(enabled: boolean): void {
    this.aggressive = enabled;
  }

  get pruningAggressive(): boolean {
    return this.aggressive;
  }

  /** Synchronous hook; returns the unsubscribe function. A throwing listener never breaks the registry. */
  on(listener: (e: PeerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Async stream of events from now on. Ends when the signal aborts or the consumer breaks out.
   * A consumer more than SUBSCRIBER_QUEUE_MAX events behind loses the oldest ones.
   */
  subscribe(opts: { signal?: AbortSignal } = {}): AsyncIterableIterator<PeerEvent> {
    const queue: PeerEvent[] = [];
    let wake: (() => void) | null = null;
    let done = false;
    const off = this.on((e) => {
      queue.push(e);
      if (queue.length > SUBSCRIBER_QUEUE_MAX) queue.shift();
      wake?.();
    });
    const finish = () => {
      done = true;
      off();
      wake?.();
    };
    opts.signal?.addEventListener('abort', finish, { once: true });
    const iter: AsyncIterableIterator<PeerEvent> = {
      [Symbol.asyncIterator]: () => iter,
      async next() {
        while (queue.length === 0 && !done) await new Promise<void>((r) => (wake = r));
        wake = null;
        const value = queue.shift();
        if (value !== undefined) return { value, done: false };
        return { value: undefined, done: true };
      },
      return() {
        finish();
        queue.length = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
    return iter;
  }

  private emit(e: PeerEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // A listener's bug is its own; the registry and the other listeners carry on.
      }
    }
  }
}

function meaningfullyDifferent(a: PeerRecord, b: PeerRecord): boolean {
  return (
    a.display_name !== b.display_name ||
    a.profile !== b.profile ||
    a.community_id !== b.community_id ||
    (a.manifest?.signature ?? null) !== (b.manifest?.signature ?? null) ||
    JSON.stringify(a.endpoints) !== JSON.stringify(b.endpoints)
  );
}
