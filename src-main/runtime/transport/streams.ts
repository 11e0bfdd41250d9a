/** SSE framing of stream frames (§4 of ../shared/spec/hearthnet-reference.md streams.py): `SseWriter` on the server, `SseReader` on the client. */
import {
  CallError,
  createSseParser,
  isOneOf,
  sseEvent,
  toWireError,
  type SseEvent,
  type WireErrorCode,
} from '../../common';
import type { FlowControl } from './backpressure';
import { FRAME_EVENTS, type Frame, type FrameEvent } from './contract';

/** One frame as SSE text: `id` is the seq, `data` one line of JSON. */
export function encodeFrame(f: Frame): string {
  return sseEvent({ id: f.seq, event: f.event, data: JSON.stringify(f.data) });
}

/** Request header by which a caller asks for coalesced stream messages (value `1`). */
export const HEADER_STREAM_BATCH = 'x-hearth-stream-batch';

/** SSE event name of a coalesced message (several logical frames); never a Frame's own event. */
export const BATCH_EVENT = 'frames';

/** A frame whose `data` is already JSON text (so a batch's size is known without encoding twice). */
export type EncodedFrame = readonly [event: FrameEvent, json: string];

/**
 * Frames numbered `firstSeq`, `firstSeq + 1`, ... as ONE SSE message; a single frame is written
 * as a plain frame. Batch: `id: <last seq>`, `event: frames`,
 * `data: {"seq": <first seq>, "frames": [[event, data], ...]}` (docs/protocol/transport.md).
 */
export function encodeMessage(frames: readonly EncodedFrame[], firstSeq: number): string {
  if (frames.length === 1) return sseEvent({ id: firstSeq, event: frames[0][0], data: frames[0][1] });
  let body = '';
  for (let i = 0; i < frames.length; i++) body += `${i ? ',' : ''}["${frames[i][0]}",${frames[i][1]}]`;
  return sseEvent({
    id: firstSeq + frames.length - 1,
    event: BATCH_EVENT,
    data: `{"seq":${firstSeq},"frames":[${body}]}`,
  });
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

  constructor(
    private readonly sink: SseSink,
    private readonly flow: FlowControl | null = null,
  ) {
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
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- cancel() may have run while we awaited
    if (this.cancelled) return;
    this.seq++;
    if (event === 'done' || event === 'error') this.ended = true;
    if (!this.sink.write(encodeFrame({ event, data, seq: this.seq }))) await this.drained();
    if (this.ended) this.sink.end();
  }

  /**
   * Writes `frames` (data frames, none terminal) as one SSE message, numbering each. The caller
   * has already taken the message's place in the window (`FlowControl.send()`). Returns the last seq.
   */
  async writeBatch(frames: readonly EncodedFrame[]): Promise<number> {
    if (this.cancelled || this.ended || frames.length === 0) return this.seq;
    const first = this.seq + 1;
    this.seq += frames.length;
    if (!this.sink.write(encodeMessage(frames, first))) await this.drained();
    return this.seq;
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

/** Incremental SSE parser (eventsource-parser): feed text, get complete frames. Unknown events are a protocol error. */
export class SseParser {
  private out: Frame[] = [];
  private readonly parser = createSseParser((m) => {
    const n = this.out.length;
    parseMessage(m, this.out);
    if (this.out.length > n) this.messageEnds.add(this.out[this.out.length - 1]);
  });
  /** The last frame of each SSE message (a batch yields several frames; acks count messages). */
  readonly messageEnds = new WeakSet<Frame>();

  push(text: string): Frame[] {
    const out = (this.out = []);
    this.parser.feed(text);
    return out;
  }
}

function parseMessage(m: SseEvent, out: Frame[]): void {
  const event = m.event;
  if (event !== BATCH_EVENT && !isOneOf(FRAME_EVENTS, event))
    throw new CallError('bad_request', `the peer sent an unknown stream frame "${event}"`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(m.data);
  } catch (err) {
    throw new CallError('bad_request', `the peer sent a stream frame that is not JSON`, { cause: err });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new CallError('bad_request', 'a stream frame must carry a JSON object');
  if (event === BATCH_EVENT) {
    unpackBatch(parsed as Record<string, unknown>, Number(m.id), out);
    return;
  }
  out.push({ event, data: parsed as Record<string, unknown>, seq: Number(m.id) || 0 });
}

/** A batch's frames, numbered from its `seq`; its `id` must be the last of them. */
function unpackBatch(b: Record<string, unknown>, lastSeq: number, out: Frame[]): void {
  const frames = b.frames;
  const first = b.seq;
  if (
    !Number.isSafeInteger(first) ||
    (first as number) < 1 ||
    !Array.isArray(frames) ||
    frames.length === 0 ||
    lastSeq !== (first as number) + frames.length - 1
  ) {
    throw new CallError(
      'bad_request',
      'the peer sent a malformed batch of stream frames (seq, frames and id disagree)',
    );
  }
  let seq = first as number;
  for (const f of frames) {
    if (
      !Array.isArray(f) ||
      f.length !== 2 ||
      !isOneOf(FRAME_EVENTS, f[0]) ||
      !f[1] ||
      typeof f[1] !== 'object' ||
      Array.isArray(f[1])
    ) {
      throw new CallError('bad_request', 'the peer sent a batch holding something other than [event, {data}] frames');
    }
    out.push({ event: f[0], data: f[1] as Record<string, unknown>, seq: seq++ });
  }
}

/**
 * Client side: frames out of a byte stream. Iteration ends after `done`; an `error` frame is
 * yielded (the caller decides whether to throw). `cancel()` stops reading and runs `onCancel`.
 */
export class SseReader implements AsyncIterable<Frame> {
  private cancelled = false;
  private readonly decoder = new TextDecoder();
  private readonly parser = new SseParser();

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
    const parser = this.parser;
    let finished = false;
    try {
      for await (const chunk of this.source) {
        if (this.cancelled) return;
        const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
        for (const f of parser.push(text)) {
          if (f.event === 'done' || f.event === 'error') finished = true;
          yield f;
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- cancel() may have run while suspended at yield
          if (finished || this.cancelled) return;
        }
      }
    } finally {
      if (finished) this.onFinish();
      else this.cancel();
    }
  }

  /** True when `f` is the last frame of its SSE message (what the flow-control window counts). */
  endsMessage(f: Frame): boolean {
    return this.parser.messageEnds.has(f);
  }

  /** Stop reading; the underlying request is aborted so the producer stops too. */
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.onCancel();
  }
}
