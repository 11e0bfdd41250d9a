/** A bounded per-subscriber queue behind `EventLog.subscribe`, exposed as an async iterable. */
import type { Event } from './types';
import { EventLogError } from './errors';

/** Events a subscriber may fall behind by before its subscription is ended with an error. */
export const SUBSCRIBER_QUEUE_MAX = 1024;

/**
 * Never drops silently: when the consumer falls more than `max` events behind, the iterator
 * throws (code `out_of_order`, details.resume_after_lamport) so the consumer can re-read with
 * `replay({ sinceLamport })` and subscribe again.
 */
export class Subscriber {
  private readonly queue: Event[] = [];
  private waiting: ((r: IteratorResult<Event>) => void) | null = null;
  private failWaiting: ((e: unknown) => void) | null = null;
  private ended = false;
  private failure: EventLogError | null = null;
  private lastDelivered = 0;

  constructor(
    readonly eventTypes: ReadonlySet<string> | null,
    private readonly onClose: () => void,
    private readonly max = SUBSCRIBER_QUEUE_MAX,
  ) {}

  wants(event: Event): boolean {
    return !this.ended && (this.eventTypes === null || this.eventTypes.has(event.event_type));
  }

  push(event: Event): void {
    if (this.ended) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = this.failWaiting = null;
      this.lastDelivered = event.lamport;
      w({ value: event, done: false });
      return;
    }
    if (this.queue.length >= this.max) {
      this.fail(
        new EventLogError(
          'out_of_order',
          `subscriber fell more than ${this.max} events behind; replay since lamport ${this.lastDelivered} and subscribe again`,
          {
            details: { reason: 'subscriber_overflow', resume_after_lamport: this.lastDelivered },
          },
        ),
      );
      return;
    }
    this.queue.push(event);
  }

  /** End normally: queued events are still delivered, then the iterator finishes. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onClose();
    if (this.waiting && this.queue.length === 0) {
      const w = this.waiting;
      this.waiting = this.failWaiting = null;
      w({ value: undefined, done: true });
    }
  }

  private fail(err: EventLogError): void {
    this.failure = err;
    this.queue.length = 0;
    this.end();
    if (this.failWaiting) {
      const f = this.failWaiting;
      this.waiting = this.failWaiting = null;
      f(err);
    }
  }

  async *iterate(): AsyncGenerator<Event> {
    try {
      for (;;) {
        const e = this.queue.shift();
        if (e) {
          this.lastDelivered = e.lamport;
          yield e;
          continue;
        }
        if (this.failure) throw this.failure;
        if (this.ended) return;
        const r = await new Promise<IteratorResult<Event>>((resolve, reject) => {
          this.waiting = resolve;
          this.failWaiting = reject;
        });
        if (r.done) return;
        yield r.value;
      }
    } finally {
      this.end();
    }
  }
}
