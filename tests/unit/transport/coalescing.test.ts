import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CallError } from '../../../src-main/common';
import {
  encodeMessage,
  FlowControl,
  MessageLedger,
  pumpFrames,
  SseParser,
  SseWriter,
  STREAM_BATCH_MAX_BYTES,
  STREAM_BATCH_MAX_FRAMES,
  type FrameData,
} from '../../../src-main/runtime/transport';

class Sink extends EventEmitter {
  out: string[] = [];
  destroyed = false;
  write(chunk: string): boolean {
    this.out.push(chunk);
    this.emit('wrote');
    return true;
  }
  end(): void {}
}

// eslint-disable-next-line @typescript-eslint/require-await -- a producer whose frames are ready at once: no await to add
async function* fast(
  n: number,
  data: (i: number) => Record<string, unknown> = (i) => ({ i }),
): AsyncGenerator<FrameData> {
  for (let i = 1; i <= n; i++) yield { event: 'token', data: data(i) };
  yield { event: 'done', data: { n } };
}

const LIMITS = { maxFrames: STREAM_BATCH_MAX_FRAMES, maxBytes: STREAM_BATCH_MAX_BYTES };
const parseAll = (out: string[]) => {
  const p = new SseParser();
  const frames = p.push(out.join(''));
  return { frames, ends: frames.filter((f) => p.messageEnds.has(f)) };
};
const waitUntil = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  if (!cond()) throw new Error(`timed out: ${what}`);
};

describe('coalesced SSE messages', () => {
  it('a batch parses into its logical frames with consecutive seqs; only the last ends the message', () => {
    const text =
      encodeMessage(
        [
          ['token', '{"t":"a"}'],
          ['progress', '{"current":1}'],
          ['token', '{"t":"b"}'],
        ],
        5,
      ) + encodeMessage([['token', '{"t":"c"}']], 8);
    expect(text.startsWith('id: 7\nevent: frames\ndata: {"seq":5,"frames":[["token",{"t":"a"}],')).toBe(true);
    const p = new SseParser();
    const frames = p.push(text.slice(0, 20)).concat(p.push(text.slice(20)));
    expect(frames.map((f) => [f.seq, f.event, f.data])).toEqual([
      [5, 'token', { t: 'a' }],
      [6, 'progress', { current: 1 }],
      [7, 'token', { t: 'b' }],
      [8, 'token', { t: 'c' }],
    ]);
    expect(frames.map((f) => p.messageEnds.has(f))).toEqual([false, false, true, true]);
  });

  it('malformed batches are refused with bad_request', () => {
    const bad = [
      'id: 9\nevent: frames\ndata: {"seq":5,"frames":[["token",{}],["token",{}]]}\n\n', // id is not the last seq
      'id: 5\nevent: frames\ndata: {"seq":5,"frames":[["bogus",{}]]}\n\n',
      'id: 5\nevent: frames\ndata: {"seq":5,"frames":[["token",[1]]]}\n\n',
      'id: 0\nevent: frames\ndata: {"seq":0,"frames":[]}\n\n',
    ];
    for (const t of bad) {
      const err = (() => {
        try {
          new SseParser().push(t);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(CallError);
      expect((err as CallError).code).toBe('bad_request');
    }
  });
});

describe('pumpFrames', () => {
  it('keeps order and per-frame seq, returns the terminal frame, and fills messages from a fast producer', async () => {
    const sink = new Sink();
    const w = new SseWriter(sink);
    const flow = new FlowControl({ window: 16, ackInterval: 8, ackTimeoutMs: 5_000 });
    const ledger = new MessageLedger();
    // Ack every message as soon as it is written, like a quick receiver.
    sink.on('wrote', () => setImmediate(() => flow.ack(ledger.messagesUpTo(w.lastSeq))));
    const terminal = await pumpFrames(fast(5000)[Symbol.asyncIterator](), w, flow, ledger, LIMITS, () => false);
    expect(terminal).toEqual({ event: 'done', data: { n: 5000 } });
    const { frames } = parseAll(sink.out);
    expect(frames.map((f) => f.data.i)).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    expect(frames.map((f) => f.seq)).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    expect(sink.out.length).toBeLessThan(5000 / 8); // coalesced, not one message per frame
    for (const m of sink.out) expect(parseAll([m]).frames.length).toBeLessThanOrEqual(STREAM_BATCH_MAX_FRAMES);
  });

  it('without acks it stops after one window of messages: at most window x batch frames unacknowledged', async () => {
    const sink = new Sink();
    const w = new SseWriter(sink);
    const flow = new FlowControl({ window: 16, ackInterval: 8, ackTimeoutMs: 5_000 });
    const ledger = new MessageLedger();
    let produced = 0;
    // eslint-disable-next-line @typescript-eslint/require-await -- a producer whose frames are ready at once: no await to add
    async function* forever(): AsyncGenerator<FrameData> {
      for (;;) {
        produced++;
        yield { event: 'token', data: { i: produced } };
      }
    }
    let stop = false;
    const run = pumpFrames(forever()[Symbol.asyncIterator](), w, flow, ledger, LIMITS, () => stop);
    await waitUntil(() => sink.out.length === 16 && produced >= 16 * STREAM_BATCH_MAX_FRAMES, 'a full window');
    await new Promise((r) => setTimeout(r, 30));
    expect(sink.out.length).toBe(16);
    expect(flow.windowUsed).toBe(16);
    const sent = parseAll(sink.out).frames;
    expect(sent.length).toBeLessThanOrEqual(16 * STREAM_BATCH_MAX_FRAMES);
    expect(produced).toBeLessThanOrEqual(17 * STREAM_BATCH_MAX_FRAMES + 1);
    // An ack for the first 8 messages (by the seq of the 8th message's last frame) frees 8 places.
    const ends = parseAll(sink.out).ends;
    flow.ack(ledger.messagesUpTo(ends[7].seq));
    await waitUntil(() => sink.out.length > 16, 'more messages after the ack');
    stop = true;
    flow.close();
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('a slow producer gets each frame out at once, one frame per message', async () => {
    const sink = new Sink();
    const w = new SseWriter(sink);
    const flow = new FlowControl();
    async function* slow(): AsyncGenerator<FrameData> {
      for (let i = 1; i <= 5; i++) {
        await new Promise((r) => setTimeout(r, 5));
        yield { event: 'token', data: { i } };
      }
    }
    await pumpFrames(slow()[Symbol.asyncIterator](), w, flow, new MessageLedger(), LIMITS, () => false);
    expect(sink.out.length).toBe(5);
    expect(sink.out.every((m) => m.includes('event: token'))).toBe(true);
  });

  it('bounds a message by bytes: a frame that would overflow opens the next message', async () => {
    const sink = new Sink();
    const w = new SseWriter(sink);
    const flow = new FlowControl({ window: 1000, ackInterval: 8 });
    const big = 'x'.repeat(10_000);
    await pumpFrames(
      fast(20, () => ({ big }))[Symbol.asyncIterator](),
      w,
      flow,
      new MessageLedger(),
      LIMITS,
      () => false,
    );
    const frames = parseAll(sink.out).frames;
    expect(frames).toHaveLength(20);
    for (const m of sink.out) {
      const n = parseAll([m]).frames.length;
      expect(n * (big.length + 10)).toBeLessThanOrEqual(STREAM_BATCH_MAX_BYTES);
    }
  });

  it('without batching (maxFrames 1) every message is one plain frame', async () => {
    const sink = new Sink();
    const w = new SseWriter(sink);
    const flow = new FlowControl({ window: 1000, ackInterval: 8 });
    await pumpFrames(
      fast(30)[Symbol.asyncIterator](),
      w,
      flow,
      new MessageLedger(),
      { maxFrames: 1, maxBytes: Infinity },
      () => false,
    );
    expect(sink.out).toHaveLength(30);
    expect(sink.out.some((m) => m.includes('event: frames'))).toBe(false);
  });

  it('an ack that never comes fails the pump with timeout', async () => {
    const sink = new Sink();
    const w = new SseWriter(sink);
    const flow = new FlowControl({ window: 2, ackInterval: 1, ackTimeoutMs: 50 });
    // eslint-disable-next-line @typescript-eslint/require-await -- a producer whose frames are ready at once: no await to add
    async function* forever(): AsyncGenerator<FrameData> {
      for (let i = 0; ; i++) yield { event: 'token', data: { i } };
    }
    await expect(
      pumpFrames(forever()[Symbol.asyncIterator](), w, flow, new MessageLedger(), LIMITS, () => false),
    ).rejects.toMatchObject({ code: 'timeout' });
    expect(sink.out).toHaveLength(2);
  });
});

describe('MessageLedger', () => {
  it('maps a cumulative frame ack onto whole messages', () => {
    const l = new MessageLedger();
    [3, 10, 11, 40].forEach((s) => l.record(s));
    expect(l.messagesUpTo(2)).toBe(0);
    expect(l.messagesUpTo(10)).toBe(2);
    expect(l.messagesUpTo(39)).toBe(3); // the 4th message is only partly acknowledged
    expect(l.messagesUpTo(5)).toBe(3); // old acks never go back
    expect(l.messagesUpTo(1000)).toBe(4);
  });
});

describe('pumpFrames with a gathering delay', () => {
  it('a producer yielding every ~1 ms shares messages; the first frame still goes at once', async () => {
    const sink = new Sink();
    const w = new SseWriter(sink);
    const flow = new FlowControl({ window: 1000, ackInterval: 8 });
    const firstAt: number[] = [];
    sink.on('wrote', () => firstAt.push(performance.now()));
    const t0 = performance.now();
    async function* paced(): AsyncGenerator<FrameData> {
      for (let i = 1; i <= 40; i++) {
        yield { event: 'token', data: { i } };
        await new Promise((r) => setTimeout(r, 1));
      }
    }
    await pumpFrames(
      paced()[Symbol.asyncIterator](),
      w,
      flow,
      new MessageLedger(),
      { ...LIMITS, maxDelayMs: 8 },
      () => false,
    );
    const { frames } = parseAll(sink.out);
    expect(frames.map((f) => f.data.i)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(firstAt[0] - t0).toBeLessThan(20); // not held for the delay
    expect(sink.out.length).toBeLessThan(30); // several frames per message
  });
});
