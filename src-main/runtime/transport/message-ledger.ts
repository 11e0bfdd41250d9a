/** Which SSE messages an ack covers: acks name a frame seq, the flow-control window counts messages. */

/**
 * Records the last seq of every windowed message in send order; `messagesUpTo(upto)` is how many
 * of them end at or before `upto` (cumulative, for `FlowControl.ack`). Entries are dropped once
 * acknowledged, so it holds at most one window of messages.
 */
export class MessageLedger {
  private readonly ends: number[] = [];
  private head = 0;
  private acked = 0;

  /** A windowed message whose last frame is `lastSeq` was sent. */
  record(lastSeq: number): void {
    this.ends.push(lastSeq);
  }

  /** Messages fully acknowledged by a cumulative ack of every frame up to seq `upto`. */
  messagesUpTo(upto: number): number {
    while (this.head < this.ends.length && this.ends[this.head] <= upto) {
      this.head++;
      this.acked++;
    }
    if (this.head > 64 && this.head * 2 > this.ends.length) {
      this.ends.splice(0, this.head);
      this.head = 0;
    }
    return this.acked;
  }
}
