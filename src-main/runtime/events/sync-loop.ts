/**
 * Keeps the community log converged at a cost per node that does not grow with the street:
 * - each new local event is pushed at once to at most SYNC_PUSH_FANOUT random peers;
 * - a node that stores a pushed event it did not hold relays it once to SYNC_PUSH_FANOUT random
 *   peers (epidemic "infect and die" gossip: every node sends each event at most once);
 * - rounds of reconciliation with SYNC_ROUND_FANOUT peers (new peers first, then random), each
 *   opened by a whole-log digest check that ends in one request when the logs agree; every
 *   SYNC_ROUND_INTERVAL_MS on a quiet street, every SYNC_ACTIVE_INTERVAL_MS for
 *   SYNC_ACTIVE_WINDOW_MS after this node saw something new (its own event, a fresh push, a round
 *   that moved events), so misses are repaired fast while events flow and a quiet street is cheap.
 * Gossip is fast but may miss a node; the rounds are exact (docs/protocol/events.md) and repair any
 * miss, also after a partition heals (the first round across the old cut moves events, which
 * makes both sides active, and the union spreads at the active pace).
 */
import { realTimers, type Timers } from '../../common';
import { SyncClient, type Event, type EventLog, type SyncChannel as EventsSyncChannel } from '.';
import type { PeerAddress } from '../transport';
import { PeriodicTask } from '../lifecycle';

/** Pace of reconciliation rounds on a quiet street. A round with a peer that agrees costs one small signed request. */
export const SYNC_ROUND_INTERVAL_MS = 5_000;
/** Pace while events flow (see SYNC_ACTIVE_WINDOW_MS). */
export const SYNC_ACTIVE_INTERVAL_MS = 500;
/** How long after the last sign of activity rounds keep the active pace. */
export const SYNC_ACTIVE_WINDOW_MS = 10_000;
/** Peers reconciled with per round, whatever the number of peers. */
export const SYNC_ROUND_FANOUT = 2;
/** Peers a new local event (or a relayed fresh one) is pushed to, whatever the number of peers. */
export const SYNC_PUSH_FANOUT = 4;

export interface SyncLoopOptions {
  readonly log: EventLog;
  /** Our full node id: events we author are pushed at once. */
  readonly ourNodeId: string;
  readonly peers: () => readonly PeerAddress[];
  readonly channelFor: (peer: PeerAddress) => EventsSyncChannel;
  /** Quiet pace (default SYNC_ROUND_INTERVAL_MS); the active pace is never slower than it. */
  readonly intervalMs?: number;
  readonly activeIntervalMs?: number;
  readonly activeWindowMs?: number;
  readonly roundFanout?: number;
  readonly pushFanout?: number;
  /** Injectable for tests: timers (fake clock) and the random source of peer choice. */
  readonly timers?: Timers;
  readonly random?: () => number;
  /** Monotonic milliseconds (default performance.now). */
  readonly now?: () => number;
  readonly onError?: (peer: PeerAddress, err: unknown) => void;
  readonly onSynced?: (peer: PeerAddress, result: { sent_count: number; received_count: number }) => void;
}

/** Up to `k` distinct items of `items`, uniformly at random (partial Fisher-Yates). */
export function pickRandom<T>(items: readonly T[], k: number, random: () => number = Math.random): T[] {
  const a = [...items];
  const n = Math.min(k, a.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (a.length - i));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, n);
}

export class SyncLoop {
  private readonly task: PeriodicTask;
  private unsubscribe: (() => void) | null = null;
  private readonly intervalMs: number;
  private readonly random: () => number;
  /** Peers seen in peers() that no round has reconciled with yet: they go first. */
  private readonly known = new Set<string>();
  private readonly fresh: string[] = [];
  private lastRoundAt = -Infinity;
  private activeUntil = -Infinity;
  private readonly activeIntervalMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: SyncLoopOptions) {
    this.intervalMs = opts.intervalMs ?? SYNC_ROUND_INTERVAL_MS;
    this.activeIntervalMs = Math.min(this.intervalMs, opts.activeIntervalMs ?? SYNC_ACTIVE_INTERVAL_MS);
    this.random = opts.random ?? Math.random;
    this.now = opts.now ?? (() => performance.now());
    this.task = new PeriodicTask(
      () => this.round(),
      () => this.currentIntervalMs(),
      undefined,
      { timers: opts.timers ?? realTimers, now: this.now },
    );
  }

  /** The pace now: active for a while after something new, quiet otherwise. */
  currentIntervalMs(): number {
    return this.now() < this.activeUntil ? this.activeIntervalMs : this.intervalMs;
  }

  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.opts.log.onAppend((event) => {
      if (event.author !== this.opts.ourNodeId) return;
      this.markActive();
      queueMicrotask(() => void this.push([event]));
    });
    this.task.start({ immediately: true });
  }

  /** Something new is flowing: rounds at the active pace for the next window. */
  markActive(): void {
    this.activeUntil = this.now() + (this.opts.activeWindowMs ?? SYNC_ACTIVE_WINDOW_MS);
    this.task.hurry(this.activeIntervalMs);
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.task.stop();
  }

  /** One reconciliation round: new peers first, then random ones, SYNC_ROUND_FANOUT in all. */
  async round(): Promise<void> {
    this.lastRoundAt = this.now();
    await Promise.all(this.roundTargets().map((peer) => this.syncOne(peer)));
  }

  /** Reconcile with every peer now (after joining, `syncNow`): one-off, not the periodic cost. */
  async roundAll(): Promise<void> {
    await Promise.all(this.opts.peers().map((peer) => this.syncOne(peer)));
  }

  /** A new peer appeared: run a round soon, at most twice per active interval however many appear. */
  poke(): void {
    if (this.now() - this.lastRoundAt >= this.activeIntervalMs / 2) this.task.trigger();
  }

  async syncOne(peer: PeerAddress): Promise<void> {
    try {
      const result = await new SyncClient(this.opts.log, this.opts.channelFor(peer)).syncWith(undefined, {
        digestFirst: true,
      });
      if (result.received_count > 0 || result.sent_count > 0) this.markActive();
      this.opts.onSynced?.(peer, result);
    } catch (err) {
      this.opts.onError?.(peer, err);
    }
  }

  /**
   * Gossip: events this node just stored from a push, passed on once to a bounded random set of
   * peers other than the sender and the author.
   */
  relay(events: readonly Event[], from?: string): Promise<void> {
    this.markActive();
    const skip = new Set([from, ...events.map((e) => e.author)]);
    return this.push(events, (p) => !skip.has(p.nodeId));
  }

  private roundTargets(): PeerAddress[] {
    const peers = this.opts.peers();
    for (const p of peers) {
      if (!this.known.has(p.nodeId)) {
        this.known.add(p.nodeId);
        this.fresh.push(p.nodeId);
      }
    }
    const fanout = this.opts.roundFanout ?? SYNC_ROUND_FANOUT;
    const byId = new Map(peers.map((p) => [p.nodeId as string, p]));
    const chosen: PeerAddress[] = [];
    while (chosen.length < fanout) {
      const id = this.fresh.shift();
      if (id === undefined) break;
      const p = byId.get(id);
      if (p) chosen.push(p);
    }
    const rest = peers.filter((p) => !chosen.includes(p));
    chosen.push(...pickRandom(rest, fanout - chosen.length, this.random));
    // Forget peers that left, so one that comes back counts as new again.
    if (this.known.size > peers.length) for (const id of this.known) if (!byId.has(id)) this.known.delete(id);
    return chosen;
  }

  private async push(events: readonly Event[], include: (p: PeerAddress) => boolean = () => true): Promise<void> {
    const targets = pickRandom(
      this.opts.peers().filter(include),
      this.opts.pushFanout ?? SYNC_PUSH_FANOUT,
      this.random,
    );
    await Promise.all(
      targets.map(async (peer) => {
        try {
          await this.opts.channelFor(peer).events({ events: [...events] });
        } catch (err) {
          this.opts.onError?.(peer, err);
        }
      }),
    );
  }
}
