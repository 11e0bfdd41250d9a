/**
 * Keeps the community log converged: a reconciliation round with every known member on a timer,
 * and each new local event pushed to them at once (best effort; the next round repairs a miss).
 */
import { SyncClient, type Event, type EventLog, type SyncChannel as EventsSyncChannel } from '../events';
import type { PeerAddress } from '../transport';
import { PeriodicTask } from './lifecycle';

/** Default pace of full reconciliation rounds. Pushes make new events arrive faster than this. */
export const SYNC_ROUND_INTERVAL_MS = 5_000;

export interface SyncLoopOptions {
  readonly log: EventLog;
  /** Our full node id: only events we author are pushed (others' events reach peers by their rounds). */
  readonly ourNodeId: string;
  readonly peers: () => readonly PeerAddress[];
  readonly channelFor: (peer: PeerAddress) => EventsSyncChannel;
  readonly intervalMs?: number;
  readonly onError?: (peer: PeerAddress, err: unknown) => void;
  readonly onSynced?: (peer: PeerAddress, result: { sent_count: number; received_count: number }) => void;
}

export class SyncLoop {
  private readonly task: PeriodicTask;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly opts: SyncLoopOptions) {
    this.task = new PeriodicTask(() => this.round(), opts.intervalMs ?? SYNC_ROUND_INTERVAL_MS);
  }

  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.opts.log.onAppend((event) => {
      if (event.author === this.opts.ourNodeId) queueMicrotask(() => void this.push(event));
    });
    this.task.start({ immediately: true });
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.task.stop();
  }

  /** Reconcile with every peer now (also used right after joining). */
  async round(): Promise<void> {
    await Promise.all(this.opts.peers().map((peer) => this.syncOne(peer)));
  }

  /** Trigger a round soon (a new peer appeared). */
  poke(): void {
    this.task.trigger();
  }

  async syncOne(peer: PeerAddress): Promise<void> {
    try {
      const result = await new SyncClient(this.opts.log, this.opts.channelFor(peer)).syncWith();
      this.opts.onSynced?.(peer, result);
    } catch (err) {
      this.opts.onError?.(peer, err);
    }
  }

  private async push(event: Event): Promise<void> {
    await Promise.all(
      this.opts.peers().map(async (peer) => {
        try {
          await this.opts.channelFor(peer).events({ events: [event] });
        } catch (err) {
          this.opts.onError?.(peer, err);
        }
      }),
    );
  }
}
