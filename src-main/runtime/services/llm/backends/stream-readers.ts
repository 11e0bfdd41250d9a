/** Incremental readers for the two streaming framings vendors use: Server-Sent Events and NDJSON. */
import { readSseEvents, type SseEvent } from '../../../../common';

export type { SseEvent };

/** The body's chunks; stopping early (or finishing) releases and cancels the body. */
async function* chunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array, void, undefined> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => {});
  }
}

/** Parse an SSE body (WHATWG rules, eventsource-parser): `event` defaults to "message". */
export function readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent, void, undefined> {
  return readSseEvents(chunks(body));
}

/** Parse a newline-delimited JSON body, one object per non-empty line. */
export async function* readNdjson(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown, void, undefined> {
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of chunks(body)) {
    buf += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim() !== '') yield JSON.parse(line) as unknown;
    }
  }
  buf += decoder.decode();
  if (buf.trim() !== '') yield JSON.parse(buf) as unknown;
}
