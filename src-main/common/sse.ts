/**
 * Server-Sent Events, one of each: `sseEvent` writes every SSE message we send (peer streams, the
 * UI API, the OpenAI-compatible endpoint), and `eventsource-parser` reads every one we receive
 * (`createSseParser` for push-style readers, `readSseEvents` for a byte stream). Field order on
 * the wire is `id`, `event`, `data` (docs/protocol/transport.md); absent fields are left out.
 * Pure TypeScript: the renderer reads its subscriptions with the same parser.
 */
import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';

/** One SSE message: `event` absent means the default "message"; `data` is written as one line. */
export interface SseMessage {
  readonly id?: string | number;
  readonly event?: string;
  /** Already-encoded text (JSON, or `[DONE]`); must not contain a line break. */
  readonly data: string;
}

/** One SSE message as wire text, ending with the blank line that dispatches it. */
export function sseEvent(m: SseMessage): string {
  let s = '';
  if (m.id !== undefined) s += `id: ${m.id}\n`;
  if (m.event !== undefined) s += `event: ${m.event}\n`;
  return `${s}data: ${m.data}\n\n`;
}

/** A received SSE message: `event` defaults to "message" as the browser's EventSource does. */
export interface SseEvent {
  readonly event: string;
  readonly id?: string;
  readonly data: string;
}

/** The eventsource-parser WHATWG parser calling `onEvent` per message (comments and unknown fields are skipped). */
export function createSseParser(
  onEvent: (e: SseEvent) => void,
  onRetry?: (ms: number) => void,
): Pick<EventSourceParser, 'feed'> {
  return createParser({
    onEvent: (m: EventSourceMessage) => {
      onEvent({ event: m.event ?? 'message', id: m.id, data: m.data });
    },
    onRetry,
  });
}

/**
 * The messages of an SSE byte stream, in order. A last message the server did not close with a
 * blank line still counts (vendors' streams sometimes end that way).
 */
export async function* readSseEvents(
  chunks: AsyncIterable<Uint8Array | string>,
): AsyncGenerator<SseEvent, void, undefined> {
  const decoder = new TextDecoder();
  const ready: SseEvent[] = [];
  const parser = createSseParser((e) => ready.push(e));
  for await (const chunk of chunks) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    for (const e of ready.splice(0)) yield e;
  }
  parser.feed(`${decoder.decode()}\n\n`);
  for (const e of ready.splice(0)) yield e;
}

/** Headers of every SSE response we serve (a proxy must neither cache nor buffer it). */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
});

/**
 * A `text/event-stream` Response whose messages are pulled from `messages` one at a time, so a
 * slow client slows the producer. `onCancel` runs, and the source is closed, when the client goes
 * away. A source that throws ends the stream quietly: sources report their own errors as messages.
 */
export function sseResponse(messages: AsyncIterator<SseMessage>, onCancel: () => void = () => {}): Response {
  const enc = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      let r: IteratorResult<SseMessage>;
      try {
        r = await messages.next();
      } catch {
        r = { done: true, value: undefined };
      }
      if (r.done) ctrl.close();
      else ctrl.enqueue(enc.encode(sseEvent(r.value)));
    },
    async cancel() {
      onCancel();
      await messages.return?.().catch(() => {});
    },
  });
  return new Response(body, { status: 200, headers: SSE_HEADERS });
}
