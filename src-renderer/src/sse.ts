/**
 * A small EventSource built on fetch, so subscriptions can carry the local API token in an
 * `Authorization` header (the browser's EventSource cannot send headers). It follows the parts
 * of the EventSource contract tRPC's httpSubscriptionLink uses: named events, `open`/`error`,
 * readyState, Last-Event-ID on reconnect, and reconnecting by itself after a dropped stream.
 */
import { createSseParser, type SseEvent } from '../../src-main/common/sse';

export interface FetchEventSourceInit {
  readonly headers?: Record<string, string>;
  readonly withCredentials?: boolean;
}

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 5_000;

export class FetchEventSource extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSED = 2;
  readyState = 0;
  readonly url: string;
  private readonly headers: Record<string, string>;
  private ac = new AbortController();
  private lastEventId = '';
  private retryMs = RETRY_MIN_MS;

  constructor(url: string, init?: FetchEventSourceInit) {
    super();
    this.url = url;
    this.headers = init?.headers ?? {};
    void this.connect();
  }

  close(): void {
    this.readyState = this.CLOSED;
    this.ac.abort();
  }

  private async connect(): Promise<void> {
    while (this.readyState !== this.CLOSED) {
      this.ac = new AbortController();
      try {
        const headers: Record<string, string> = { accept: 'text/event-stream', ...this.headers };
        if (this.lastEventId) headers['last-event-id'] = this.lastEventId;
        const res = await fetch(this.url, { headers, signal: this.ac.signal, cache: 'no-store' });
        if (!res.ok || !res.body) {
          // Like the browser's EventSource: a refused stream is final (401, 404, ...).
          this.readyState = this.CLOSED;
          this.dispatchEvent(new Event('error'));
          return;
        }
        this.readyState = this.OPEN;
        this.retryMs = RETRY_MIN_MS;
        this.dispatchEvent(new Event('open'));
        await this.read(res.body);
      } catch {
        if (this.readyState === this.CLOSED) return;
      }
      if (this.readyState === this.CLOSED) return;
      this.readyState = this.CONNECTING;
      this.dispatchEvent(new Event('error'));
      await new Promise((r) => setTimeout(r, this.retryMs));
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
    }
  }

  /** Reads one connection's messages with the shared eventsource-parser reader (src-main/common/sse.ts). */
  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const parser = createSseParser(
      (m) => this.dispatch(m),
      (ms) => {
        this.retryMs = ms;
      },
    );
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parser.feed(decoder.decode(value, { stream: true }));
    }
  }

  private dispatch(m: SseEvent): void {
    if (m.id !== undefined) this.lastEventId = m.id;
    this.dispatchEvent(new MessageEvent(m.event, { data: m.data, lastEventId: this.lastEventId }));
  }
}
