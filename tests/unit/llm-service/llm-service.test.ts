/** LlmService on the bus with the real stories260K model: streaming, cancellation, saturation, two nodes, a cloud backend. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallError, HearthError } from '../../../src-main/common';
import type { Frame } from '../../../src-main/runtime/transport/contract';
import { Metrics } from '../../../src-main/runtime/observability';
import {
  LlamaCppBackend,
  LlmService,
  llmDescriptors,
  llmParamsCompatible,
  NemotronBackend,
} from '../../../src-main/runtime/services/llm';
import { startFakeOpenAi, type FakeServer } from '../../support/fake-vendors';
import { skipWithoutModel, STORIES_GGUF } from '../../support/models';
import { createMesh, waitFor, type Mesh } from '../bus/loopback-mesh';
import { BusError } from '../../../src-main/runtime/bus';

/** The event name of a stream's next frame, or undefined once the stream has ended. */
const eventOf = (r: IteratorResult<{ event: string }>) => (r.done ? undefined : r.value.event);

const skip = skipWithoutModel('LlmService', STORIES_GGUF);
const MODEL = 'stories260K';
const chat = (extra: Record<string, unknown> = {}) => ({
  model: MODEL,
  messages: [{ role: 'user', content: 'Tell me a story' }],
  max_tokens: 40,
  temperature: 0,
  ...extra,
});

async function drain(frames: AsyncIterable<Frame>): Promise<Frame[]> {
  const out: Frame[] = [];
  for await (const f of frames) out.push(f);
  return out;
}

async function rejection(p: Promise<unknown>): Promise<HearthError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(HearthError);
  return e as HearthError;
}

describe('llm params predicate (reference §9 §3.6)', () => {
  const offered = {
    model: 'm',
    quant: 'Q4',
    ctx: 4096,
    backend: 'llama_cpp',
    modalities: ['text'],
    requires_internet: false,
  };
  it('requires the same model and a ctx that fits', () => {
    expect(llmParamsCompatible(offered, { model: 'm' })).toBe(true);
    expect(llmParamsCompatible(offered, { model: 'other' })).toBe(false);
    expect(llmParamsCompatible(offered, {})).toBe(false);
    expect(llmParamsCompatible(offered, { model: 'm', ctx: 4096 })).toBe(true);
    expect(llmParamsCompatible(offered, { model: 'm', ctx: 8192 })).toBe(false);
    expect(llmParamsCompatible(offered, { model: 'm', backend: 'ollama' })).toBe(false);
    expect(llmParamsCompatible({ ...offered, requires_internet: true }, { model: 'm', requires_internet: false })).toBe(
      false,
    );
  });
  it('exports the standard descriptors for bus.learn', () => {
    const ds = llmDescriptors();
    expect(ds.map((d) => d.descriptor.name)).toEqual(['llm.chat', 'llm.complete']);
    expect(
      ds.every(
        (d) =>
          d.descriptor.idempotent === false &&
          d.descriptor.timeout_seconds === 120 &&
          d.descriptor.trust_required === 'member',
      ),
    ).toBe(true);
  });
});

describe.skipIf(skip)('LlmService with stories260K', () => {
  let backend: LlamaCppBackend;
  let svc: LlmService;
  let metrics: Metrics;
  let mesh: Mesh;

  beforeAll(async () => {
    backend = new LlamaCppBackend({ modelPath: STORIES_GGUF!, maxConcurrent: 1, threads: 1, contextSize: 512 });
    metrics = new Metrics();
    svc = new LlmService({ backends: [backend], metrics, waitQueue: 1 });
    await svc.start();
    await svc.start(); // idempotent
    mesh = createMesh(['alice', 'bob']);
    mesh.node('alice').bus.registerService(svc);
    for (const n of mesh.nodes) for (const d of llmDescriptors()) n.bus.learn(d.descriptor, d.paramsCompatible);
    mesh.sync();
  });
  afterAll(async () => {
    await svc?.stop();
    await svc?.stop();
  });

  it('offers chat and complete per model with §21 params, capacity = slots + queue', () => {
    const caps = svc.capabilities();
    expect(caps.map((c) => c.descriptor.name)).toEqual(['llm.chat', 'llm.complete']);
    for (const c of caps) {
      expect(c.descriptor.params).toEqual({
        model: MODEL,
        quant: 'F32',
        ctx: 512,
        backend: 'llama_cpp',
        modalities: ['text'],
        requires_internet: false,
      });
      expect(c.descriptor.max_concurrent).toBe(2);
      expect(c.descriptor.stream_schema).not.toBeNull();
    }
    expect(svc.health()).toMatchObject({ ok: true, ready: 1, failed: 0 });
    // the remote node sees alice's instances as `known` contracts
    const remote = mesh.node('bob').bus.registry.find('llm.chat', [1, 0]);
    expect(remote).toHaveLength(1);
    expect(remote[0].contract).toBe('known');
  });

  it('streams real tokens then a done frame; non-stream returns the same text', async () => {
    const bus = mesh.node('alice').bus;
    const before = await metrics.registry.getSingleMetric('hearthnet_llm_tokens_generated_total')!.get();
    const frames = await drain(bus.stream('llm.chat', '1.0', chat(), { params: { model: MODEL } }));
    const tokens = frames.filter((f) => f.event === 'token');
    // Pieces made within LLM_TOKEN_BATCH_MS share a frame: at least one token frame, never more frames than tokens.
    expect(tokens.length).toBeGreaterThan(0);
    const done = frames[frames.length - 1];
    expect(done.event).toBe('done');
    expect(done.data).toMatchObject({
      tokens_out: expect.any(Number) as unknown,
      tokens_in: expect.any(Number) as unknown,
      stop_reason: expect.stringMatching(/stop|length/) as unknown,
    });
    expect(done.data.tokens_out as number).toBeGreaterThan(0);
    expect(tokens.length).toBeLessThanOrEqual(done.data.tokens_out as number);
    const streamed = tokens.map((f) => f.data.text).join('');
    const whole = (await bus.call('llm.chat', '1.0', chat({ stream: false }), { params: { model: MODEL } })) as Record<
      string,
      unknown
    >;
    expect(whole.text).toBe(streamed);
    expect(whole.tokens_out).toBe(done.data.tokens_out);
    const after = await metrics.registry.getSingleMetric('hearthnet_llm_tokens_generated_total')!.get();
    const sum = (m: typeof after) =>
      m.values
        .filter((v) => v.labels.model === MODEL && v.labels.backend === 'llama_cpp')
        .reduce((a, v) => a + v.value, 0);
    expect(sum(after) - sum(before)).toBe((done.data.tokens_out as number) * 2);
    const conc = await metrics.registry.getSingleMetric('hearthnet_llm_concurrent')!.get();
    expect(conc.values.find((v) => v.labels.model === MODEL)?.value).toBe(0);
  });

  it('completes a prompt (llm.complete) with stream: false', async () => {
    const r = (await mesh
      .node('alice')
      .bus.call(
        'llm.complete',
        '1.0',
        { model: MODEL, prompt: 'Once upon a time', max_tokens: 16, temperature: 0, stream: false },
        { params: { model: MODEL } },
      )) as Record<string, unknown>;
    expect(typeof r.text).toBe('string');
    expect((r.text as string).length).toBeGreaterThan(0);
    expect(r.stop_reason).toBe('length');
    expect(r.tokens_out).toBe(16);
  });

  it('a consumer that stops mid-stream frees the slot at once; an aborted signal too', async () => {
    const bus = mesh.node('alice').bus;
    let n = 0;
    for await (const f of bus.stream('llm.chat', '1.0', chat({ max_tokens: 400 }), { params: { model: MODEL } })) {
      if (f.event === 'token' && ++n === 2) break;
    }
    expect(n).toBe(2);
    await waitFor(() => (svc.health().models as Array<{ running: number }>)[0].running === 0, 2_000, 'slot released');
    const ctl = new AbortController();
    const it = bus
      .stream('llm.chat', '1.0', chat({ max_tokens: 400 }), { params: { model: MODEL }, signal: ctl.signal })
      [Symbol.asyncIterator]();
    expect(eventOf(await it.next())).toBe('token');
    ctl.abort();
    const end = await it.next().then(
      () => null,
      (e: unknown) => e,
    );
    expect(end === null || (end as HearthError).wireCode === 'cancelled').toBe(true);
    await waitFor(
      () => (svc.health().models as Array<{ running: number }>)[0].running === 0,
      2_000,
      'slot released after abort',
    );
    // the next call runs (slot 1 of 1 is free)
    const frames = await drain(bus.stream('llm.chat', '1.0', chat({ max_tokens: 8 }), { params: { model: MODEL } }));
    expect(frames[frames.length - 1].event).toBe('done');
  });

  it('saturation: 1 running + 1 queued, then capacity_exceeded with retry_after_ms (service and bus)', async () => {
    const bus = mesh.node('alice').bus;
    const a = bus
      .stream('llm.chat', '1.0', chat({ max_tokens: 400 }), { params: { model: MODEL } })
      [Symbol.asyncIterator]();
    expect(eventOf(await a.next())).toBe('token'); // running, holding the only slot
    const b = bus
      .stream('llm.complete', '1.0', { model: MODEL, prompt: 'Once', max_tokens: 4 }, { params: { model: MODEL } })
      [Symbol.asyncIterator]();
    const bFirst = b.next(); // queued behind a
    await waitFor(() => (svc.health().models as Array<{ waiting: number }>)[0].waiting === 1, 2_000, 'queued');
    // chat entry has 1 in flight of 2, so the bus lets it through; the shared model queue is full
    const e1 = await rejection(drain(bus.stream('llm.chat', '1.0', chat(), { params: { model: MODEL } })));
    expect(e1).toBeInstanceOf(BusError);
    expect(e1.code).toBe('capacity_exceeded');
    expect(e1.details.retry_after_ms).toEqual(expect.any(Number));
    // a second complete makes the complete entry 2/2: the bus itself refuses
    const e2 = await rejection(
      bus.call('llm.complete', '1.0', { model: MODEL, prompt: 'x', stream: false }, { params: { model: MODEL } }),
    );
    expect(e2.code).toBe('capacity_exceeded');
    // from another node the same error arrives over the wire with retry_after_ms
    const e3 = await rejection(
      drain(mesh.node('bob').bus.stream('llm.chat', '1.0', chat(), { params: { model: MODEL } })),
    );
    expect(e3).toBeInstanceOf(CallError);
    expect(e3.wireCode).toBe('capacity_exceeded');
    expect((e3 as CallError).retryAfterMs).toEqual(expect.any(Number));
    await a.return?.(undefined);
    expect(eventOf(await bFirst)).toBe('token'); // the queued one got the slot
    await drain({ [Symbol.asyncIterator]: () => b });
    await waitFor(() => (svc.health().models as Array<{ running: number }>)[0].running === 0, 2_000, 'idle');
  });

  it("a call on bob is served by alice's model over the mesh and streams", async () => {
    const bob = mesh.node('bob');
    const sentBefore = bob.transport.sent.length;
    const frames = await drain(
      bob.bus.stream('llm.chat', '1.0', chat({ max_tokens: 12 }), { params: { model: MODEL } }),
    );
    expect(bob.transport.sent.slice(sentBefore)).toEqual([{ to: 'alice', capability: 'llm.chat', stream: true }]);
    expect(frames.filter((f) => f.event === 'token').length).toBeGreaterThan(1);
    expect(frames[frames.length - 1]).toMatchObject({ event: 'done', data: { tokens_out: 12, stop_reason: 'length' } });
    const wrong = await rejection(
      drain(bob.bus.stream('llm.chat', '1.0', chat({ model: 'nope' }), { params: { model: 'nope' } })),
    );
    expect(wrong.code).toBe('not_found');
    const big = await rejection(
      drain(bob.bus.stream('llm.chat', '1.0', chat(), { params: { model: MODEL, ctx: 100_000 } })),
    );
    expect(big.code).toBe('not_found');
  });

  it('refuses a request whose body names another model than the instance', async () => {
    const bus = mesh.node('alice').bus;
    const e = await rejection(
      bus.call('llm.chat', '1.0', chat({ model: 'other', stream: false }), { params: { model: MODEL } }),
    );
    expect(e.code).toBe('not_found');
  });

  describe('a cloud backend (fake OpenAI vendor)', () => {
    let fake: FakeServer;
    let cloud: LlmService;
    beforeAll(async () => {
      fake = await startFakeOpenAi({ backend, models: ['nvidia/llama-3.1-nemotron-70b-instruct'], apiKey: 'sk-test' });
      cloud = new LlmService({
        backends: [new NemotronBackend({ baseUrl: fake.url, env: { NVIDIA_API_KEY: 'sk-test' } })],
      });
      await cloud.start();
      mesh.node('bob').bus.registerService(cloud);
      mesh.sync();
    });
    afterAll(async () => {
      mesh.node('bob').bus.deregisterService(cloud);
      await cloud.stop();
      await fake.close();
    });

    it('is offered with requires_internet: true and answers through the bus', async () => {
      const [c] = cloud.capabilities();
      expect(c.descriptor.params).toMatchObject({
        model: 'nvidia/llama-3.1-nemotron-70b-instruct',
        backend: 'nemotron',
        requires_internet: true,
      });
      const params = { model: 'nvidia/llama-3.1-nemotron-70b-instruct' };
      const frames = await drain(
        mesh.node('alice').bus.stream('llm.chat', '1.0', { ...chat({ max_tokens: 10 }), ...params }, { params }),
      );
      expect(frames.filter((f) => f.event === 'token').length).toBeGreaterThan(1);
      expect(frames[frames.length - 1]).toMatchObject({ event: 'done', data: { tokens_out: 10 } });
      const offline = await rejection(
        drain(
          mesh
            .node('alice')
            .bus.stream(
              'llm.chat',
              '1.0',
              { ...chat(), ...params },
              { params: { ...params, requires_internet: false } },
            ),
        ),
      );
      expect(offline.code).toBe('not_found');
    });
  });

  it('a model that fails to warm is not offered and health() says why', async () => {
    const broken = new LlamaCppBackend({ modelPath: '/nonexistent/broken.gguf', threads: 1 });
    const s = new LlmService({ backends: [broken] });
    expect(s.capabilities()).toHaveLength(2); // before start: declared
    await s.start();
    expect(s.capabilities()).toHaveLength(0);
    const h = s.health();
    expect(h.ok).toBe(false);
    expect((h.models as Array<{ state: string; detail: string }>)[0]).toMatchObject({
      state: 'failed',
      detail: expect.stringMatching(/broken\.gguf/) as unknown,
    });
    await s.stop();
  });
});
