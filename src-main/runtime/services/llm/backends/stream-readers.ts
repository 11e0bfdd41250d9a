/** Incremental readers for the two streaming framings vendors use: Server-Sent Events and NDJSON. */

/** One SSE event: `event:` name (default "message") and its joined `data:` lines. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<string, void, undefined> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        yield buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
      }
    }
    buf += decoder.decode();
    if (buf.length > 0) yield buf.replace(/\r$/, '');
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => {});
  }
}

/** Parse an SSE body (WHATWG rules: `field: value`, blank line ends an event, `:` lines are comments). */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent, void, undefined> {
  let event = '';
  let data: string[] = [];
  for await (const line of lines(body)) {
    if (line === '') {
      if (data.length > 0) yield { event: event || 'message', data: data.join('\n') };
      event = '';
      data = [];
      continue;
    }
    if (line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length > 0) yield { event: event || 'message', data: data.join('\n') };
}

/** Parse a newline-delimited JSON body, one object per non-empty line. */
export async function* readNdjson(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown, void, undefined> {
  for await (const line of lines(body)) if (line.trim() !== '') yield JSON.parse(line) as unknown;
}
