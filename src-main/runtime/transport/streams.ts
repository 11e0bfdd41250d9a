/** SSE framing of stream frames (reference §4 streams.py): `SseWriter` on the server, `SseReader` on the client. */
import { CallError, isOneOf, toWireError, type WireErrorCode } from '../../common';
import type { FlowControl } from './backpressure';
import { FRAME_EVENTS, type Frame, type FrameEvent } from './contract';

/** One frame as SSE text: `id` is the seq, `data` one line of JSON. */
export function encodeFrame(f: Frame): string {
  return `id: ${f.seq}\nevent: ${f.event}\ndata: ${JSON.stringify(f.data)}\n\n`;
}

/** What the writer writes to: a node ServerResponse fits. */
export interface SseSink {
  write(chunk: string): boolean;
  end(): void;
  once(event: 'drain' | 'close', fn: () => void): unknown;
  off(event: 'drain' | 'close', fn: () => void): unknown;
  readonly destroyed: boolean;
}

/** Frames that never wait for window room: the stream's end must get through a full window. */
const UNWINDOWED: ReadonlySet<FrameEvent> = new Set(['done', 'error', 'ready', 'ack']);

/**
 * Writes numbered frames. With a FlowControl, `emit` waits while the window is full (data frames
 * only). `cancelled` turns true when the sink closes; emits after that are dropped.
 */
export class SseWriter {
  private seq = 0;
  private closed = false;
  private ended = false;

  constructor(private readonly sink: SseSink, private readonly flow: FlowControl | null = null) {
    sink.once('close', () => {
      this.closed = true;
      this.flow?.close();
    });
  }

  get cancelled(): boolean {
    return this.closed || this.sink.destroyed;
  }

  /** Number of frames written so far (the last seq). */
  get lastSeq(): number {
    return this.seq;
  }

  async emit(event: FrameEvent, data: Record<string, unknown>): Promise<void> {
    if (this.cancelled || this.ended) return;
    if (this.flow && !UNWINDOWED.has(event)) await this.flow.send();
    if (this.cancelled) return;
    this.seq++;
    if (event === 'done' || event === 'error') this.ended = true;
    if (!this.sink.write(encodeFrame({ event, data, seq: this.seq }))) await this.drained();
    if (this.ended) this.sink.end();
  }

  emitToken(token: Record<string, unknown>): Promise<void> {
    return this.emit('token', token);
  }

  emitProgress(current: number, total: number, stage: string): Promise<void> {
    return this.emit('progress', { current, total, stage });
  }

  /** Ends the stream with an `error` frame carrying a wire error. */
  emitError(code: WireErrorCode, message: string, extra: Record<string, unknown> = {}): Promise<void> {
    return this.emit('error', { ...extra, code, message });
  }

  /** Ends the stream with an `error` frame for anything thrown. Never a stack. */
  emitThrown(err: unknown): Promise<void> {
    const w = toWireError(err);
    return this.emit('error', { ...w });
  }

  emitDone(meta: Record<string, unknown> = {}): Promise<void> {
    return this.emit('done', meta);
  }

  emitAck(upto: number): Promise<void> {
    return this.emit('ack', { upto });
  }

  get isEnded(): boolean {
    return this.ended;
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.sink.off('drain', done);
        this.sink.off('close', done);
        resolve();
      };
      this.sink.once('drain', done);
      this.sink.once('close', done);
    });
  }
}

/** Incremental SSE parser: feed text, get complete frames. Unknown events are a protocol error. */
export class SseParser {
  private buf = '';

  push(text: string): Frame[] {
    this.buf += text;
    const out: Frame[] = [];
    let idx: number;
    while ((idx = this.buf.indexOf('\n\n')) >= 0) {
      const block = this.buf.slice(0, idx);
      this.buf = this.buf.slice(idx + 2);
      const f = parseBlock(block);
      if (f) out.push(f);
    }
    return out;
  }
}

function parseBlock(block: string): Frame | null {
  let event = 'message';
  let id = '';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'id') id = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0 && id === '') return null;
  if (!isOneOf(FRAME_EVENTS, event)) throw new CallError('bad_request', `the peer sent an unknown stream frame "${event}"`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.join('\n'));
  } catch (err) {
    throw new CallError('bad_request', `the peer sent a stream frame that is not JSON`, { cause: err });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new CallError('bad_request', 'a stream frame must carry a JSON object');
  return { event, data: parsed as Record<string, unknown>, seq: Number(id) || 0 };
}

/**
 * Client side: frames out of a byte stream. Iteration ends after `done`; an `error` frame is
 * yielded (the caller decides whether to throw). `cancel()` stops reading and runs `onCancel`.
 */
export class SseReader implements AsyncIterable<Frame> {
  private cancelled = false;
  private readonly decoder = new TextDecoder();

  /**
   * `onCancel` runs when the reader stops before the stream's end (abort the request);
   * `onFinish` after a `done`/`error` frame (let the connection go back to the pool).
   */
  constructor(
    private readonly source: AsyncIterable<Uint8Array | string>,
    private readonly onCancel: () => void = () => {},
    private readonly onFinish: () => void = () => {},
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<Frame> {
    const parser = new SseParser();
    let finished = false;
    try {
      for await (const chunk of this.source) {
        if (this.cancelled) return;
        const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
        for (const f of parser.push(text)) {
          if (f.event === 'done' || f.event === 'error') finished = true;
          yield f;
          if (finished || this.cancelled) return;
        }
      }
    } finally {
      if (finished) this.onFinish();
      else this.cancel();
    }
  }

  /** Stop reading; the underlying request is aborted so the producer stops too. */
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.onCancel();
  }
}
