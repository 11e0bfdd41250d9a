/** Topic long-poll (§4 of ../shared/spec/hearthnet-reference.md `PubSubServer`): per-topic sequence numbers, bounded retention. */
import { CallError } from '../../common';

/** Items kept per topic; a subscriber further behind receives from the oldest kept item. */
export const PUBSUB_RETENTION_ITEMS = 1000;
/** Default and maximum long-poll wait. */
export const PUBSUB_DEFAULT_TIMEOUT_MS = 30_000;
export const PUBSUB_MAX_TIMEOUT_MS = 60_000;
/** Most items returned by one poll. */
export const PUBSUB_MAX_BATCH = 500;

export interface PubSubItem {
  readonly seq: number;
  readonly payload: Record<string, unknown>;
}

/** Reply of one poll (wire shape). `last_seq` is where the next poll should resume. */
export interface PubSubBatch {
  readonly topic: string;
  readonly items: PubSubItem[];
  readonly last_seq: number;
}

interface Topic {
  seq: number;
  items: PubSubItem[];
  waiters: Set<() => void>;
}

export class PubSubServer {
  private readonly topics = new Map<string, Topic>();

  constructor(private readonly retention = PUBSUB_RETENTION_ITEMS) {}

  /** Appends `payload` to `topic` with the next seq (from 1) and wakes its pollers. */
  publish(topic: string, payload: Record<string, unknown>): number {
    const t = this.topicOf(topic);
    const item = { seq: ++t.seq, payload };
    t.items.push(item);
    if (t.items.length > this.retention) t.items.splice(0, t.items.length - this.retention);
    const waiters = [...t.waiters];
    t.waiters.clear();
    for (const w of waiters) w();
    return item.seq;
  }

  /**
   * Items of `topic` with seq > lastSeq. Returns at once when there are some; otherwise waits up to
   * `timeoutMs` (or until `signal` aborts) and returns what arrived, possibly nothing.
   */
  async subscribe(
    topic: string,
    opts: { lastSeq?: number; timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<PubSubBatch> {
    if (typeof topic !== 'string' || !/^[a-z0-9_.:-]{1,128}$/i.test(topic))
      throw new CallError('bad_request', 'topic must be 1-128 characters of letters, digits, ".", "_", ":" or "-"');
    const lastSeq = opts.lastSeq ?? 0;
    if (!Number.isInteger(lastSeq) || lastSeq < 0)
      throw new CallError('bad_request', 'last_seq must be a whole number >= 0');
    const timeoutMs = Math.min(Math.max(0, opts.timeoutMs ?? PUBSUB_DEFAULT_TIMEOUT_MS), PUBSUB_MAX_TIMEOUT_MS);
    const t = this.topicOf(topic);
    if (t.seq === lastSeq && timeoutMs > 0 && !opts.signal?.aborted) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          t.waiters.delete(done);
          opts.signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        timer.unref();
        t.waiters.add(done);
        opts.signal?.addEventListener('abort', done, { once: true });
      });
    }
    const items = t.items.filter((i) => i.seq > lastSeq).slice(0, PUBSUB_MAX_BATCH);
    // A last_seq beyond the head means this server restarted: hand back the head to resume from.
    return { topic, items, last_seq: items.length ? items[items.length - 1].seq : Math.min(lastSeq, t.seq) };
  }

  /** Current head seq of a topic (0 when never published). */
  head(topic: string): number {
    return this.topics.get(topic)?.seq ?? 0;
  }

  /** Wakes every poller (they return empty): used at shutdown. */
  stop(): void {
    for (const t of this.topics.values()) {
      const waiters = [...t.waiters];
      t.waiters.clear();
      for (const w of waiters) w();
    }
  }

  private topicOf(name: string): Topic {
    let t = this.topics.get(name);
    if (!t) {
      t = { seq: 0, items: [], waiters: new Set() };
      this.topics.set(name, t);
    }
    return t;
  }
}
