/**
 * Server side of a flow-controlled stream: pulls the producer's frames and writes them as SSE
 * messages, coalescing frames that are already waiting into one message (docs/decisions/transport.md).
 */
import type { FlowControl } from './backpressure';
import type { FrameData } from './contract';
import type { MessageLedger } from './message-ledger';
import type { EncodedFrame, SseWriter } from './streams';

/** Most logical frames in one coalesced SSE message. */
export const STREAM_BATCH_MAX_FRAMES = 64;
/** Most bytes of frame data (JSON text) in one coalesced message; a single larger frame goes alone. */
export const STREAM_BATCH_MAX_BYTES = 64 * 1024;

/**
 * Longest a message stays open for more frames after its first one (except the stream's first
 * message, which goes at once): a producer that yields every millisecond or so (a small LLM) then
 * shares one message, one TLS record and one ack among a few frames, for at most this much latency.
 */
export const STREAM_BATCH_MAX_DELAY_MS = 4;

export interface PumpLimits {
  /** 1 turns coalescing off: one frame per message (peers that did not ask for batches). */
  readonly maxFrames: number;
  readonly maxBytes: number;
  /** How long a message waits for more frames (0: only until the next event-loop turn). */
  readonly maxDelayMs?: number;
}

const TICK: unique symbol = Symbol('tick');
const ROOM: unique symbol = Symbol('room');
type Pulled = IteratorResult<FrameData>;
const isTerminal = (f: FrameData) => f.event === 'done' || f.event === 'error';
const nextTurn = (delayMs: number) =>
  new Promise<typeof TICK>((r) => (delayMs > 0 ? setTimeout(() => r(TICK), delayMs) : setImmediate(() => r(TICK))));

/**
 * Writes the frames of `it` until it ends, a terminal frame comes, or `stopped()`. A message holds
 * the frame that opened it plus those that arrive within `maxDelayMs` (the first message: before
 * the next event-loop turn) or while the window is full, up to `limits`: a slow producer still
 * gets each frame out promptly, a fast one fills messages. Each data message takes one window place (`FlowControl.send`, which
 * rejects on ack timeout or cancel). Returns the terminal frame (unwritten), if the producer sent one.
 */
export async function pumpFrames(
  it: AsyncIterator<FrameData>,
  writer: SseWriter,
  flow: FlowControl,
  ledger: MessageLedger,
  limits: PumpLimits,
  stopped: () => boolean,
): Promise<FrameData | null> {
  let pending: Promise<Pulled> | null = null;
  const pull = (): Promise<Pulled> => {
    if (pending) return pending;
    const p = it.next();
    p.catch(() => {}); // raced below; a rejection surfaces there, never as unhandled
    return (pending = p);
  };
  let terminal: FrameData | null = null;
  let ended = false as boolean; // widened: take() sets it, which TS does not follow
  const batch: EncodedFrame[] = [];
  let bytes = 0;
  /** A frame that did not fit the byte bound of the message being gathered: it opens the next one. */
  let carry = null as EncodedFrame | null; // widened: take() sets it, which TS does not follow
  /** Adds a pulled result to the batch; false when the batch is closed (stream ended, or byte-full). */
  const take = (r: Pulled): boolean => {
    pending = null;
    if (r.done) return !(ended = true);
    if (isTerminal(r.value)) {
      terminal = r.value;
      return !(ended = true);
    }
    const f: EncodedFrame = [r.value.event, JSON.stringify(r.value.data)];
    if (batch.length > 0 && bytes + f[1].length > limits.maxBytes) {
      carry = f;
      return false;
    }
    batch.push(f);
    bytes += f[1].length;
    return true;
  };
  let messages = 0;
  while (!stopped()) {
    if (carry) {
      batch.push(carry);
      bytes = carry[1].length;
      carry = null;
    } else if (ended || !take(await pull())) break;
    const room: Promise<typeof ROOM> = flow.send().then(() => ROOM);
    let haveRoom = false;
    let turned = false;
    let turn: Promise<typeof TICK> | null = null;
    while (!ended && batch.length < limits.maxFrames && bytes < limits.maxBytes) {
      turn ??= nextTurn(messages === 0 ? 0 : (limits.maxDelayMs ?? 0));
      const w = await Promise.race<Pulled | typeof ROOM | typeof TICK>(
        haveRoom ? [pull(), turn] : turned ? [pull(), room] : [pull(), turn, room],
      );
      if (w === ROOM) {
        haveRoom = true;
        if (turned) break;
      } else if (w === TICK) {
        turned = true;
        if (haveRoom) break;
      } else if (!take(w)) break;
    }
    if (!haveRoom) await room;
    if (stopped()) break;
    ledger.record(await writer.writeBatch(batch));
    messages++;
    batch.length = 0;
    bytes = 0;
  }
  return terminal;
}
