/** Stream flow control (§4 of ../shared/spec/hearthnet-reference.md backpressure.py): at most `window` frames sent and not acked. */
import { CallError, STREAM_ACK_INTERVAL_FRAMES, STREAM_ACK_TIMEOUT_SECONDS, STREAM_WINDOW_FRAMES } from '../../common';

export interface FlowControlOptions {
  readonly window?: number;
  readonly ackInterval?: number;
  /** How long `send()` waits for an ack on a full window before failing with `timeout`. */
  readonly ackTimeoutMs?: number;
}

/**
 * Sender side of the window. `send()` resolves when one more frame may go out (immediately while
 * fewer than `window` frames are unacknowledged); the receiver acks cumulatively with `ack(upto)`.
 */
export class FlowControl {
  readonly window: number;
  readonly ackInterval: number;
  readonly ackTimeoutMs: number;
  private sent = 0;
  private acked = 0;
  private waiter: { resolve: () => void; reject: (e: unknown) => void; timer: NodeJS.Timeout } | null = null;
  /** Why the window was closed (boxed: any value may be the reason). */
  private closedWith: { reason: unknown } | null = null;

  constructor(opts: FlowControlOptions = {}) {
    this.window = opts.window ?? STREAM_WINDOW_FRAMES;
    this.ackInterval = opts.ackInterval ?? STREAM_ACK_INTERVAL_FRAMES;
    this.ackTimeoutMs = opts.ackTimeoutMs ?? STREAM_ACK_TIMEOUT_SECONDS * 1000;
    if (!(this.window >= 1 && this.ackInterval >= 1 && this.ackInterval <= this.window)) {
      throw new CallError(
        'bad_request',
        `flow control needs 1 <= ack interval (${this.ackInterval}) <= window (${this.window})`,
      );
    }
  }

  /** Frames sent and not yet acknowledged. */
  get windowUsed(): number {
    return this.sent - this.acked;
  }

  /** Highest frame count acknowledged so far. */
  get ackedUpTo(): number {
    return this.acked;
  }

  /** True when the receiver should have acked by now (at least `ackInterval` frames outstanding). */
  get needsAck(): boolean {
    return this.windowUsed >= this.ackInterval;
  }

  /** Waits for room in the window, then counts one frame as sent. Rejects on ack timeout or close. */
  async send(): Promise<void> {
    if (this.closedWith) throw this.closedWith.reason;
    if (this.windowUsed >= this.window) {
      if (this.waiter) throw new CallError('internal_error', 'FlowControl.send() called concurrently');
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.waiter = null;
          reject(
            new CallError('timeout', `the receiver did not acknowledge frames within ${this.ackTimeoutMs / 1000} s`),
          );
        }, this.ackTimeoutMs);
        timer.unref();
        this.waiter = { resolve, reject, timer };
      });
    }
    this.sent++;
  }

  /** Cumulative acknowledgement of the first `upto` frames. Old or over-reaching acks are clamped. */
  ack(upto: number): void {
    if (!Number.isFinite(upto) || upto <= this.acked) return;
    this.acked = Math.min(Math.floor(upto), this.sent);
    if (this.waiter && this.windowUsed < this.window) this.wake(null);
  }

  /** Fails any pending and later `send()` with `reason` (stream cancelled). */
  close(reason: unknown = new CallError('cancelled', 'the stream was cancelled')): void {
    this.closedWith ??= { reason };
    if (this.waiter) this.wake(reason);
  }

  private wake(err: unknown): void {
    const w = this.waiter;
    if (!w) return;
    this.waiter = null;
    clearTimeout(w.timer);
    if (err) w.reject(err);
    else w.resolve();
  }
}
