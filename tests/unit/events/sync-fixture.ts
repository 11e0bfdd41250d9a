/**
 * A street of sync loops in one process: real EventLogs (SQLite), real SyncServers, SyncClients and
 * SyncLoops; only the link between them is in memory (JSON round-trip, like the wire), counted, and
 * cuttable to make partitions. Plus a manual clock for the loops' timers.
 */
import type { Timers } from '../../../src-main/common';
import { SyncServer, type EventLog, type SyncChannel } from '../../../src-main/runtime/events';
import type { PeerAddress } from '../../../src-main/runtime/transport';
import { SyncLoop, type SyncLoopOptions } from '../../../src-main/runtime/events/sync-loop';

/** Timers that fire only when the test advances the clock. */
export class ManualClock implements Timers {
  now = 0;
  private seq = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Move time forward, firing due timers in order and letting their async work settle. */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (let guard = 0; guard < 100_000; guard++) {
      const next = [...this.pending.entries()].sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!next || next[1].at > end) break;
      this.pending.delete(next[0]);
      this.now = Math.max(this.now, next[1].at);
      next[1].fn();
      await settle();
    }
    this.now = end;
    await settle();
  }
}

/**
 * Let promise chains and libuv callbacks (async signature checks on the thread pool) run; a real
 * millisecond at the end, so a loaded machine's pool threads get their turn too.
 */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 1));
}

export interface LinkStats {
  /** Requests per (from -> to). */
  readonly calls: Map<string, number>;
  total: number;
  /** Sync sessions opened (digest checks). */
  rounds: number;
  /** Pushes (bodies with events and no want). */
  pushes: number;
  /** Pushes per sender. */
  readonly pushesFrom: Map<string, number>;
  /** Sync sessions per initiator. */
  readonly roundsFrom: Map<string, number>;
}

export interface StreetNode {
  readonly id: string;
  readonly log: EventLog;
  readonly server: SyncServer;
  loop: SyncLoop;
}

/** Nodes connected in memory; `cut(a, b)` makes every link between the two groups fail. */
export class InMemoryStreet {
  readonly nodes = new Map<string, StreetNode>();
  readonly stats: LinkStats = {
    calls: new Map(),
    total: 0,
    rounds: 0,
    pushes: 0,
    pushesFrom: new Map(),
    roundsFrom: new Map(),
  };
  private readonly side = new Map<string, number>();

  add(
    id: string,
    log: EventLog,
    loopOpts: Partial<SyncLoopOptions> = {},
    peerIds?: () => readonly string[],
  ): StreetNode {
    const node = { id, log } as StreetNode & { server: SyncServer; loop: SyncLoop };
    node.server = new SyncServer(log, { onFreshPush: (events, from) => void node.loop.relay(events, from) });
    node.loop = new SyncLoop({
      log,
      ourNodeId: id,
      peers: () => (peerIds ? peerIds() : [...this.nodes.keys()].filter((k) => k !== id)).map((k) => this.address(k)),
      channelFor: (peer) => this.channel(id, peer.nodeId),
      ...loopOpts,
    });
    this.nodes.set(id, node);
    return node;
  }

  address(id: string): PeerAddress {
    return { nodeId: id as never, endpoint: { transport: 'https', host: '127.0.0.1', port: 1 } };
  }

  /** Partition: nodes in `groups[i]` reach only nodes in the same group. */
  cut(groups: readonly (readonly string[])[]): void {
    groups.forEach((g, i) => g.forEach((id) => this.side.set(id, i)));
  }

  heal(): void {
    this.side.clear();
  }

  channel(from: string, to: string): SyncChannel {
    const wire = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
    const gate = () => {
      const key = `${from}->${to}`;
      this.stats.calls.set(key, (this.stats.calls.get(key) ?? 0) + 1);
      this.stats.total += 1;
      const a = this.side.get(from);
      const b = this.side.get(to);
      if (a !== undefined && b !== undefined && a !== b)
        throw new Error(`${to} is unreachable from ${from} (partition)`);
      const node = this.nodes.get(to);
      if (!node) throw new Error(`${to} is gone`);
      return node.server;
    };
    return {
      heads: async () => wire(await gate().serveHeads()),
      events: async (body) => {
        if (body.want?.heads_unless !== undefined) {
          this.stats.rounds += 1;
          this.stats.roundsFrom.set(from, (this.stats.roundsFrom.get(from) ?? 0) + 1);
        }
        if (body.events?.length && !body.want) {
          this.stats.pushes += 1;
          this.stats.pushesFrom.set(from, (this.stats.pushesFrom.get(from) ?? 0) + 1);
        }
        return wire(await gate().serveEvents(wire(body), from));
      },
    };
  }
}
