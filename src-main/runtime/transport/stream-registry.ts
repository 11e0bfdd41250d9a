/** Open server streams by id, so a caller's ack request can reach the stream's flow control. */
import type { FlowControl } from './backpressure';
import type { MessageLedger } from './message-ledger';

export interface OpenStream {
  readonly caller: string;
  readonly flow: FlowControl;
  /** Acks carry a frame seq; the window counts data messages: this maps one onto the other. */
  readonly ledger: MessageLedger;
}

export class StreamRegistry {
  private readonly streams = new Map<string, OpenStream>();

  add(id: string, s: OpenStream): void {
    this.streams.set(id, s);
  }

  get(id: string): OpenStream | undefined {
    return this.streams.get(id);
  }

  delete(id: string): void {
    this.streams.delete(id);
  }

  get size(): number {
    return this.streams.size;
  }

  /** Cancels every open stream (server stop). */
  closeAll(reason: unknown): void {
    for (const s of this.streams.values()) s.flow.close(reason);
    this.streams.clear();
  }
}
