import { describe, expect, it } from 'vitest';
import { HearthError } from '../../../src-main/common';
import { defineCapability } from '../../../src-main/runtime/bus';
import type { CapabilityDescriptor, HandlerContext } from '../../../src-main/runtime/bus';
import type { Frame, FrameData } from '../../../src-main/runtime/transport/contract';
import { createMesh, waitFor } from './loopback-mesh';
import type { Mesh, MeshNode } from './loopback-mesh';

const count = defineCapability({
  name: 'test.count',
  version: [1, 0],
  idempotent: true,
  timeout_seconds: 5,
  request_schema: { type: 'object', properties: { n: { type: 'integer' } } },
  stream_schema: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
});

/** A producer that counts to body.n (or forever), parking after each frame until read again. */
function serveCount(n: MeshNode, d: CapabilityDescriptor = count) {
  const state = { signals: [] as AbortSignal[], produced: 0 };
  n.bus.registerCapability(d, (ctx: HandlerContext) => {
    state.signals.push(ctx.signal);
    const limit = (ctx.body as { n?: number }).n ?? Infinity;
    // eslint-disable-next-line @typescript-eslint/require-await -- a producer whose frames are ready at once: no await to add
    return (async function* (): AsyncGenerator<FrameData> {
      for (let i = 1; i <= limit && i <= 10_000; i++) {
        if (ctx.signal.aborted) return;
        state.produced++;
        yield { event: 'token', data: { text: String(i) } };
      }
      yield { event: 'done', data: { tokens_out: state.produced } };
    })();
  });
  return state;
}

/** A producer that sends one frame and then waits until its signal aborts. */
function serveStall(n: MeshNode) {
  let resolveAborted!: () => void;
  const aborted = new Promise<void>((r) => (resolveAborted = r));
  n.bus.registerCapability(count, (ctx) =>
    (async function* (): AsyncGenerator<FrameData> {
      ctx.signal.addEventListener('abort', () => resolveAborted(), { once: true });
      yield { event: 'token', data: { text: 'first' } };
      await new Promise<void>((r) => ctx.signal.addEventListener('abort', () => r(), { once: true }));
    })(),
  );
  return aborted;
}

const within = <T>(p: Promise<T>, ms = 2_000) =>
  Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`not within ${ms} ms`)), ms))]);

const abortedPromise = (s: AbortSignal) =>
  new Promise<void>((r) => (s.aborted ? r() : s.addEventListener('abort', () => r(), { once: true })));

async function collect(it: AsyncIterable<Frame>, max = 100): Promise<Frame[]> {
  const out: Frame[] = [];
  for await (const f of it) {
    out.push(f);
    if (out.length >= max) break;
  }
  return out;
}

function setup(): { mesh: Mesh; alice: MeshNode; bob: MeshNode; carol: MeshNode } {
  const mesh = createMesh();
  for (const n of mesh.nodes) n.bus.learn(count);
  const [alice, bob, carol] = mesh.nodes;
  return { mesh, alice, bob, carol };
}

describe('CapabilityBus streams', () => {
  it('streams numbered frames from a remote node, ending in done, and traces token counts', async () => {
    const { mesh, alice, carol } = setup();
    serveCount(carol);
    mesh.sync();
    const frames = await collect(alice.bus.stream('test.count', '1.0', { n: 3 }));
    expect(frames.map((f) => [f.seq, f.event, f.data.text ?? null])).toEqual([
      [1, 'token', '1'],
      [2, 'token', '2'],
      [3, 'token', '3'],
      [4, 'done', null],
    ]);
    expect(alice.bus.recentTraces(1)[0]).toMatchObject({ to_node: carol.id, result: 'ok', tokens_out: 3 });
    await waitFor(() => carol.bus.recentTraces().length === 1, 2_000, "carol's trace");
    expect(carol.bus.recentTraces(1)[0]).toMatchObject({ from_node: alice.id, result: 'ok', tokens_out: 3 });
  });

  it('streams locally with the same framing', async () => {
    const { mesh, alice } = setup();
    serveCount(alice);
    mesh.sync();
    const frames = await collect(alice.bus.stream('test.count', [1, 0], { n: 2 }));
    expect(frames.map((f) => f.seq)).toEqual([1, 2, 3]);
    expect(frames[2].event).toBe('done');
    expect(alice.transport.sent).toEqual([]);
  });

  it('stopping early (break) aborts the remote producer and frees its slot', async () => {
    const { mesh, alice, carol } = setup();
    const state = serveCount(carol);
    mesh.sync();
    const frames = await collect(alice.bus.stream('test.count', '1.0', {}), 2);
    expect(frames).toHaveLength(2);
    await within(abortedPromise(state.signals[0]));
    expect(state.produced).toBeLessThan(10);
    expect(carol.bus.registry.allLocal()[0].in_flight).toBe(0);
    expect(alice.bus.recentTraces(1)[0].result).toBe('cancelled');
    expect(carol.bus.recentTraces(1)[0].result).toBe('cancelled');
  });

  it("aborting the caller's signal cancels a producer parked on an await (remote and local)", async () => {
    for (const where of ['remote', 'local'] as const) {
      const { mesh, alice, carol } = setup();
      const aborted = serveStall(where === 'remote' ? carol : alice);
      mesh.sync();
      const ctl = new AbortController();
      const it = alice.bus.stream('test.count', '1.0', {}, { signal: ctl.signal })[Symbol.asyncIterator]();
      expect((await it.next()).value).toMatchObject({ event: 'token', data: { text: 'first' } });
      const pending = it.next();
      ctl.abort();
      await expect(pending).rejects.toMatchObject({ wireCode: 'cancelled' });
      await within(aborted);
      expect(alice.bus.topologySnapshot().in_flight_total).toBe(0);
    }
  });

  it('times out a stream that stops producing, telling the producer', async () => {
    const { mesh, alice, carol } = setup();
    const aborted = serveStall(carol);
    mesh.sync();
    const it = alice.bus.stream('test.count', '1.0', {}, { timeoutMs: 60 })[Symbol.asyncIterator]();
    await it.next();
    await expect(it.next()).rejects.toMatchObject({ wireCode: 'timeout' });
    await within(aborted);
  });

  it('fails over before the first frame only', async () => {
    const { mesh, alice, bob, carol } = setup();
    serveCount(bob);
    serveCount(carol);
    mesh.sync();
    for (const e of alice.bus.registry.all()) if (e.node_id === carol.id) e.p50_latency_ms = 1_000;
    mesh.partitioned.add('bob');
    const frames = await collect(alice.bus.stream('test.count', '1.0', { n: 1 }));
    expect(frames.map((f) => f.event)).toEqual(['token', 'done']);
    expect(alice.transport.sent.map((s) => s.to)).toEqual(['bob', 'carol']);
  });

  it('a failure after the first frame reaches the consumer, not another node', async () => {
    const { mesh, alice, bob, carol } = setup();
    bob.bus.registerCapability(count, () =>
      // eslint-disable-next-line @typescript-eslint/require-await -- a producer whose frames are ready at once: no await to add
      (async function* (): AsyncGenerator<FrameData> {
        yield { event: 'token', data: { text: 'one' } };
        throw new Error('model crashed');
      })(),
    );
    serveCount(carol);
    mesh.sync();
    for (const e of alice.bus.registry.all()) if (e.node_id === carol.id) e.p50_latency_ms = 1_000;
    const got: Frame[] = [];
    let err: unknown;
    try {
      for await (const f of alice.bus.stream('test.count', '1.0', { n: 5 })) got.push(f);
    } catch (e) {
      err = e;
    }
    expect(got.map((f) => f.data.text)).toEqual(['one']);
    expect(err).toBeInstanceOf(HearthError);
    expect((err as HearthError).wireCode).toBe('internal_error');
    expect(alice.transport.sent.map((s) => s.to)).toEqual(['bob']);
  });

  it('validates payload frames against stream_schema on the producing node', async () => {
    const { mesh, alice, carol } = setup();
    carol.bus.registerCapability(count, () =>
      // eslint-disable-next-line @typescript-eslint/require-await -- a producer whose frames are ready at once: no await to add
      (async function* (): AsyncGenerator<FrameData> {
        yield { event: 'token', data: { text: 42 } };
      })(),
    );
    mesh.sync();
    await expect(collect(alice.bus.stream('test.count', '1.0', {}))).rejects.toMatchObject({
      wireCode: 'schema_mismatch',
    });
  });

  it('refuses a stream call to a unary capability and a unary call to a streaming one', async () => {
    const { mesh, alice, carol } = setup();
    serveCount(carol);
    carol.bus.registerCapability(defineCapability({ name: 'test.unary', version: [1, 0] }), () =>
      Promise.resolve({ ok: true }),
    );
    mesh.sync();
    await expect(collect(alice.bus.stream('test.unary', '1.0', {}))).rejects.toMatchObject({
      wireCode: 'schema_mismatch',
    });
    await expect(alice.bus.call('test.count', '1.0', { n: 1 })).rejects.toMatchObject({ wireCode: 'schema_mismatch' });
    expect(carol.bus.registry.allLocal().every((e) => e.in_flight === 0)).toBe(true);
  });
});

describe('CapabilityBus stream bookkeeping', () => {
  it('counts a stream read up to its done frame as ok on both ends', async () => {
    const { mesh, alice, carol } = setup();
    serveCount(carol);
    mesh.sync();
    for await (const f of alice.bus.stream('test.count', '1.0', { n: 1 })) if (f.event === 'done') break;
    expect(alice.bus.recentTraces(1)[0].result).toBe('ok');
    await waitFor(() => carol.bus.recentTraces().length === 1, 2_000, "carol's trace"); // the serving side settles asynchronously
    expect(carol.bus.recentTraces(1)[0].result).toBe('ok');
    expect(alice.bus.stats()).toMatchObject({ calls_ok: 1, calls_failed: 0 });
    expect(carol.bus.stats()).toMatchObject({ inbound_total: 1, inbound_failed: 0 });
  });
});

describe('inbound streams the server never reads', () => {
  const inbound = (caller: MeshNode, signal: AbortSignal) => ({
    capability: 'test.count',
    version: '1.0',
    body: {},
    caller: caller.id,
    traceId: 't',
    sessionId: null,
    stream: true,
    signal,
  });

  it('release their slot on return() before the first next()', async () => {
    const { alice, carol } = setup();
    const state = serveCount(carol);
    const src = (await carol.bus.handleInbound(
      inbound(alice, new AbortController().signal),
    )) as AsyncIterable<FrameData>;
    expect(carol.bus.registry.allLocal()[0].in_flight).toBe(1);
    await src[Symbol.asyncIterator]().return?.();
    expect(carol.bus.registry.allLocal()[0].in_flight).toBe(0);
    expect(state.signals[0].aborted).toBe(true);
    expect(carol.bus.recentTraces(1)[0].result).toBe('cancelled');
  });

  it('release their slot when the caller goes away before anyone reads', async () => {
    const { alice, carol } = setup();
    const state = serveCount(carol);
    const ctl = new AbortController();
    await carol.bus.handleInbound(inbound(alice, ctl.signal));
    ctl.abort();
    expect(carol.bus.registry.allLocal()[0].in_flight).toBe(0);
    expect(state.signals[0].aborted).toBe(true);
  });
});
