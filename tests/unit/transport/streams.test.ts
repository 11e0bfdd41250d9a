import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  encodeFrame,
  FlowControl,
  SseParser,
  SseReader,
  SseWriter,
  type Frame,
} from '../../../src-main/runtime/transport';

class FakeSink extends EventEmitter {
  out: string[] = [];
  ended = false;
  destroyed = false;
  write(chunk: string): boolean {
    this.out.push(chunk);
    return true;
  }
  end(): void {
    this.ended = true;
  }
}

// eslint-disable-next-line @typescript-eslint/require-await -- a producer whose frames are ready at once: no await to add
async function* chunks(parts: string[]) {
  for (const p of parts) yield new TextEncoder().encode(p);
}

describe('SSE framing', () => {
  it('writer numbers frames from 1, ends after done, drops later emits', async () => {
    const sink = new FakeSink();
    const w = new SseWriter(sink);
    await w.emitToken({ text: 'he' });
    await w.emitProgress(1, 2, 'load');
    await w.emitDone({ tokens_out: 1 });
    await w.emitToken({ text: 'late' });
    expect(sink.out).toEqual([
      'id: 1\nevent: token\ndata: {"text":"he"}\n\n',
      'id: 2\nevent: progress\ndata: {"current":1,"total":2,"stage":"load"}\n\n',
      'id: 3\nevent: done\ndata: {"tokens_out":1}\n\n',
    ]);
    expect(sink.ended).toBe(true);
  });

  it('writer turns a thrown error into a wire error frame, never a stack', async () => {
    const sink = new FakeSink();
    const w = new SseWriter(sink);
    await w.emitThrown(new Error('secret /home/path'));
    expect(sink.out[0]).toBe('id: 1\nevent: error\ndata: {"code":"internal_error","message":"internal error"}\n\n');
  });

  it('writer is cancelled when the sink closes, and waits on the window', async () => {
    const sink = new FakeSink();
    const fc = new FlowControl({ window: 1, ackInterval: 1 });
    const w = new SseWriter(sink, fc);
    await w.emitToken({ i: 1 });
    const pending = w.emitToken({ i: 2 });
    sink.emit('close');
    await expect(pending).rejects.toMatchObject({ code: 'cancelled' });
    expect(w.cancelled).toBe(true);
    expect(sink.out).toHaveLength(1);
  });

  it('parser reassembles frames split across chunks and refuses unknown events', () => {
    const f: Frame = { event: 'token', data: { text: 'a\nb' }, seq: 7 };
    const text = encodeFrame(f) + encodeFrame({ event: 'done', data: {}, seq: 8 });
    const p = new SseParser();
    const out = [...text].flatMap((ch) => p.push(ch));
    expect(out).toEqual([f, { event: 'done', data: {}, seq: 8 }]);
    expect(() => new SseParser().push('event: bogus\ndata: {}\n\n')).toThrow(
      expect.objectContaining({ code: 'bad_request' }),
    );
    expect(() => new SseParser().push('event: token\ndata: [1]\n\n')).toThrow(
      expect.objectContaining({ code: 'bad_request' }),
    );
  });

  it('reader stops after done (finish) and cancels when left early', async () => {
    const log: string[] = [];
    const text =
      encodeFrame({ event: 'token', data: {}, seq: 1 }) +
      encodeFrame({ event: 'done', data: {}, seq: 2 }) +
      encodeFrame({ event: 'token', data: {}, seq: 3 });
    const r = new SseReader(
      chunks([text.slice(0, 10), text.slice(10)]),
      () => log.push('cancel'),
      () => log.push('finish'),
    );
    const got: number[] = [];
    for await (const f of r) got.push(f.seq);
    expect(got).toEqual([1, 2]);
    expect(log).toEqual(['finish']);
    const r2 = new SseReader(chunks([text]), () => log.push('cancel2'));
    for await (const frame of r2) if (frame) break;
    expect(log).toContain('cancel2');
  });
});
