/**
 * The Trackio exporter against a local server that implements Trackio's documented REST endpoint
 * (`POST /api/bulk_log`, the body its Go/Rust/JS clients send) and checks every field; then a real
 * node with a real llama.cpp model (stories260K) reporting an LLM call and a topology snapshot.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRACKIO_QUEUE_MAX, TrackioExporter } from '../../../src-main/runtime/observability';
import { createMesh, waitFor, type Mesh } from '../../support/mesh';
import { skipWithoutModel, STORIES_GGUF } from '../../support/models';

interface BulkLog {
  project: string;
  run: string;
  metrics_list: Array<Record<string, unknown>>;
  steps: number[];
  timestamps: string[];
}

/** Trackio's `/api/bulk_log` as its clients use it: refuses anything malformed with 422, like FastAPI would. */
function fakeTrackio(): Promise<{
  url: string;
  received: BulkLog[];
  problems: string[];
  close(): Promise<void>;
  server: Server;
}> {
  const received: BulkLog[] = [];
  const problems: string[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/api/bulk_log') {
        res.writeHead(404).end();
        return;
      }
      const why = checkBulkLog(req.headers['content-type'], raw);
      if (why) {
        problems.push(why);
        res.writeHead(422, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: why }));
        return;
      }
      received.push(JSON.parse(raw) as BulkLog);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        received,
        problems,
        server,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

function checkBulkLog(contentType: string | undefined, raw: string): string | null {
  if (!contentType?.startsWith('application/json')) return `content-type ${contentType}`;
  let b: Record<string, unknown>;
  try {
    b = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return 'body is not JSON';
  }
  const extra = Object.keys(b).filter(
    (k) => !['project', 'run', 'metrics_list', 'steps', 'timestamps', 'config'].includes(k),
  );
  if (extra.length) return `unknown fields ${extra.join()}`;
  if (typeof b.project !== 'string' || !b.project) return 'project must be a non-empty string';
  if (typeof b.run !== 'string' || !b.run) return 'run must be a non-empty string';
  const list = b.metrics_list;
  if (!Array.isArray(list) || list.length === 0 || list.some((m) => !m || typeof m !== 'object' || Array.isArray(m)))
    return 'metrics_list must be a non-empty list of objects';
  for (const m of list as Array<Record<string, unknown>>) {
    for (const [k, v] of Object.entries(m))
      if (v !== null && !['number', 'string', 'boolean'].includes(typeof v)) return `metric ${k} is not a scalar`;
  }
  if (!Array.isArray(b.steps) || b.steps.length !== list.length || b.steps.some((s) => !Number.isInteger(s) || s < 0))
    return 'steps must be one non-negative integer per metrics entry';
  if (
    !Array.isArray(b.timestamps) ||
    b.timestamps.length !== list.length ||
    b.timestamps.some((t) => typeof t !== 'string' || Number.isNaN(Date.parse(t)) || !/T.*Z$/.test(t))
  )
    return 'timestamps must be one ISO-8601 time per metrics entry';
  return null;
}

describe('TrackioExporter', () => {
  it('posts queued steps in the documented bulk_log shape, with increasing steps', async () => {
    const trackio = await fakeTrackio();
    try {
      const ex = new TrackioExporter({ project: 'street', run: 'House 1', url: trackio.url, flushIntervalMs: 50 });
      ex.start();
      ex.log({
        latency_ms: 12.5,
        tokens_in: 3,
        tokens_out: 7,
        model: 'stories260K',
        backend: 'llama_cpp',
        result: 'ok',
      });
      ex.log({ mesh_size: 4, mode: 'normal' });
      await waitFor(() => ex.stats.sent === 2, 5_000, 'two steps sent');
      await ex.stop();
      expect(trackio.problems).toEqual([]);
      const all = trackio.received.flatMap((b) =>
        b.metrics_list.map((m, i) => ({ m, step: b.steps[i], project: b.project, run: b.run })),
      );
      expect(all.map((x) => x.step)).toEqual([0, 1]);
      expect(all[0]).toMatchObject({
        project: 'street',
        run: 'House 1',
        m: { latency_ms: 12.5, tokens_in: 3, tokens_out: 7, model: 'stories260K', backend: 'llama_cpp', result: 'ok' },
      });
    } finally {
      await trackio.close();
    }
  });

  it('a dead collector never blocks logging: the queue stays bounded and failed batches are counted', async () => {
    const trackio = await fakeTrackio();
    await trackio.close(); // nothing listens there now
    const ex = new TrackioExporter({
      project: 'street',
      run: 'House 1',
      url: trackio.url,
      flushIntervalMs: 20,
      timeoutMs: 500,
    });
    ex.start();
    const t0 = performance.now();
    for (let i = 0; i < 3 * TRACKIO_QUEUE_MAX; i++) ex.log({ i });
    const perLogUs = ((performance.now() - t0) * 1000) / (3 * TRACKIO_QUEUE_MAX);
    expect(ex.stats.queued).toBeLessThanOrEqual(TRACKIO_QUEUE_MAX);
    await waitFor(() => ex.stats.failedPosts >= 2, 10_000, 'failed posts to be counted');
    await ex.stop();
    expect(ex.stats.sent).toBe(0);
    expect(ex.stats.dropped).toBeGreaterThanOrEqual(2 * TRACKIO_QUEUE_MAX);
    expect(perLogUs).toBeLessThan(1_000); // queuing only: no I/O on the caller's path
  });
});

describe.skipIf(skipWithoutModel('Trackio telemetry from a node', STORIES_GGUF))(
  'a node with trackio_project set',
  () => {
    let mesh: Mesh;
    let trackio: Awaited<ReturnType<typeof fakeTrackio>>;
    beforeAll(async () => {
      trackio = await fakeTrackio();
      process.env.TRACKIO_SERVER_URL = trackio.url;
      mesh = await createMesh(2, {
        configure: (c, name) => ({
          ...c,
          observability: { ...c.observability, trackio_project: 'elm-street' },
          llm: {
            backends:
              name === 'alice' ? [{ name: 'llama_cpp', url: null, model: STORIES_GGUF!, api_key_env: null }] : [],
          },
        }),
      });
    }, 90_000);
    afterAll(async () => {
      await mesh?.close();
      delete process.env.TRACKIO_SERVER_URL;
      await trackio?.close();
    });

    it('reports each LLM call with latency, tokens in/out, model, backend and result', async () => {
      const [alice, bob] = mesh.nodes.map((m) => m.node);
      await waitFor(
        () => bob.api.capabilities({ name: 'llm.chat', remoteOnly: true }).length > 0,
        20_000,
        'bob to learn llm.chat',
      );
      await bob.bus.call(
        'llm.chat',
        [1, 0],
        { model: 'stories260K', messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 8 },
        { params: { model: 'stories260K' } },
      );
      const steps = () =>
        trackio.received.flatMap((b) =>
          b.metrics_list.map((m): Record<string, unknown> => ({ ...m, run: b.run, project: b.project })),
        );
      const call = await waitFor(
        () => steps().find((s) => s.kind === 'llm_call' && s.role === 'caller'),
        15_000,
        'the caller to report the LLM call',
      );
      expect(call).toMatchObject({
        project: 'elm-street',
        capability: 'llm.chat',
        model: 'stories260K',
        backend: 'llama_cpp',
        result: 'ok',
      });
      expect(call.run).toContain(bob.kp.nodeIdShort);
      expect(call.latency_ms as number).toBeGreaterThan(0);
      expect(call.tokens_in as number).toBeGreaterThan(0);
      expect(call.tokens_out as number).toBeGreaterThan(0);
      const served = await waitFor(
        () => steps().find((s) => s.kind === 'llm_call' && s.role === 'server'),
        15_000,
        'alice to report serving it',
      );
      expect(served.run).toContain(alice.kp.nodeIdShort);
      expect(trackio.problems).toEqual([]);
    }, 60_000);
  },
);
