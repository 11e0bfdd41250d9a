/** The consumer side of a flow-controlled stream's acks (docs/protocol/transport.md). */
import { STREAM_ACK_INTERVAL_FRAMES } from '../../common';

/**
 * Cumulative acks, at most one in flight: `received(seq)` is called once per SSE message (with its
 * last frame's seq); an ack goes out every `interval` messages, and when messages arrive faster
 * than acks return, the next ack covers all of them. A failed ack is not fatal here — the peer
 * reports a missing ack itself with an `error` frame (`timeout`), which is what the caller sees.
 */
export class AckSender {
  interval = STREAM_ACK_INTERVAL_FRAMES;
  private seen = 0;
  private acked = 0;
  private messages = 0;
  private ackedMessages = 0;
  private inFlight = false;

  constructor(private readonly sendAck: (upto: number) => Promise<void>) {}

  received(seq: number): void {
    if (seq > this.seen) this.seen = seq;
    this.messages++;
    this.pump();
  }

  private pump(): void {
    if (this.inFlight || this.messages - this.ackedMessages < this.interval || this.seen <= this.acked) return;
    const upto = this.seen;
    const messages = this.messages;
    this.inFlight = true;
    this.sendAck(upto)
      .catch(() => undefined)
      .finally(() => {
        this.acked = upto;
        this.ackedMessages = messages;
        this.inFlight = false;
        this.pump();
      });
  }
}
