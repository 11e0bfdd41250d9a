/**
 * The shared lifecycle test (ARCHITECTURE §3, issue 10): every Startable of a real node — the
 * Node itself and each part it runs — goes through start, stop, stop again, start after stop,
 * and stop during start, under vitest's fake timers. After each stop no timer the part set is
 * left pending, and after the parts were cycled the node still serves a bus call end to end.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isStartable, PeriodicTask, StartGate, type Startable } from '../../../src-main/runtime/lifecycle';
import { Node, type RunningNode } from '../../../src-main/runtime/node';
import { loadConfig } from '../../../src-main/runtime/config';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createMesh, type Mesh } from '../../support/mesh';
import { MODEL2VEC_DIR, STORIES_GGUF } from '../../support/models';

const EMBED = 'bge-64d';

const FAKE = { toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] as const };

/**
 * Timers the part under test leaves pending. The node's other parts keep running beside it and
 * re-arm their own timers from inside timer callbacks (a discovery tick, a sync round); those
 * are not the cycled part's and are not counted, whatever the clock they land on.
 */
function trackTimers(): { pending(): number; restore(): void } {
  const fakeSet = globalThis.setTimeout;
  const fakeClear = globalThis.clearTimeout;
  const mine = new Set<unknown>();
  const fromTimerCallback = () => /listOnTimeout|processTimers/.test(new Error().stack ?? '');
  globalThis.setTimeout = ((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const handle: unknown = fakeSet(
      (...a: unknown[]) => {
        mine.delete(handle);
        fn(...a);
      },
      ms,
      ...args,
    );
    if (!fromTimerCallback()) mine.add(handle);
    return handle;
  }) as typeof setTimeout;
  globalThis.clearTimeout = (h: Parameters<typeof clearTimeout>[0]) => {
    mine.delete(h);
    fakeClear(h);
  };
  return {
    pending: () => mine.size,
    restore: () => {
      globalThis.setTimeout = fakeSet;
      globalThis.clearTimeout = fakeClear;
    },
  };
}

/** start, stop, stop again, start after stop, stop during start; leaves the part running. */
async function cycle(part: Startable): Promise<void> {
  vi.useFakeTimers({ toFake: [...FAKE.toFake] });
  const timers = trackTimers();
  try {
    await part.stop();
    const idle = timers.pending();
    await part.stop(); // stop again: nothing to do, nothing thrown
    expect(timers.pending()).toBe(idle);
    await part.start(); // start after stop
    await part.start(); // start again: idempotent
    await part.stop();
    expect(timers.pending(), 'timers left behind after stop').toBe(idle);
    const starting = part.start();
    const stopping = part.stop(); // stop during start
    await Promise.all([starting, stopping]);
    expect(timers.pending(), 'timers left behind after stop during start').toBe(idle);
    await part.start();
  } finally {
    timers.restore();
    vi.useRealTimers();
  }
}

describe('every Startable: start, stop, stop again, start after stop, stop during start (fake timers)', () => {
  let mesh: Mesh;
  let node: Node;
  const titles = async () =>
    ((await node.view().bus.call('market.list', [1, 0], {})) as { posts: Array<{ title: string }> }).posts.map(
      (p) => p.title,
    );

  beforeAll(async () => {
    // A home with a community (set up by createMesh), then a Node of our own on it.
    // With the shared test models (when present) the LLM and embedding services have a real
    // model to close on stop and load again on start.
    mesh = await createMesh(1, {
      configure: (c) => {
        if (!MODEL2VEC_DIR || !STORIES_GGUF) return c;
        mkdirSync(c.node.models_dir, { recursive: true });
        cpSync(MODEL2VEC_DIR, join(c.node.models_dir, EMBED), { recursive: true });
        return {
          ...c,
          embedding: { ...c.embedding, model: EMBED },
          llm: { backends: [{ name: 'llama_cpp', url: null, model: STORIES_GGUF, api_key_env: null }] },
        };
      },
    });
    const m = mesh.nodes[0];
    await m.stop();
    node = new Node({
      config: loadConfig(m.configFile, { env: { HEARTHNET_HOME: m.home } }),
      configFile: m.configFile,
      name: 'alice',
      syncIntervalMs: 500,
      writeRuntimeFile: false,
      autodetectLlm: false,
    });
    await node.start();
  }, 60_000);

  afterAll(async () => {
    await node?.stop();
    await mesh?.close();
  });

  /** The node's long-lived parts, looked up anew each time (a restarted node builds new ones). */
  const parts = (n: RunningNode): Record<string, unknown> => {
    const s = n.scope()!;
    return {
      'emergency wiring': n.emergency,
      'emergency detector': n.emergency.detector,
      'ai services': n.ai,
      telemetry: n.telemetry,
      'community scope': s,
      'community services': s.services,
      'llm service': n.ai.llm,
      'embedding service': n.ai.embedding,
      discovery: s.discovery,
      'sync loop': s.syncLoop,
      'marketplace service': s.services.market,
      'chat service': s.services.chat,
      'chat delivery': s.services.delivery,
      'blob store': s.services.blobs,
      'file service': s.services.files,
      'file client': s.services.fileClient,
      'rag service': s.services.rag,
    };
  };

  it('finds the parts it is meant to cycle (all of them Startable)', () => {
    for (const [name, p] of Object.entries(parts(node.view()))) expect(isStartable(p), name).toBe(true);
  });

  for (const name of [
    'emergency wiring',
    'emergency detector',
    'ai services',
    'telemetry',
    'community scope',
    'community services',
    'llm service',
    'embedding service',
    'discovery',
    'sync loop',
    'marketplace service',
    'chat service',
    'chat delivery',
    'blob store',
    'file service',
    'file client',
    'rag service',
  ]) {
    it(name, async () => {
      await cycle(parts(node.view())[name] as Startable);
    });
  }

  it.skipIf(!MODEL2VEC_DIR || !STORIES_GGUF)(
    'the LLM and embedding services serve again after stop and start (their models reopen)',
    async () => {
      const { ai, bus } = node.view();
      for (const s of [ai.llm, ai.embedding]) {
        await s.stop();
        await s.start();
      }
      expect(ai.embedding.health()).toMatchObject({ ok: true, state: 'ready' });
      expect(ai.llm.health()).toMatchObject({ ok: true, ready: 1 });
      const embedded = (await bus.call('embed.text', [1, 0], { texts: ['the well pump is fixed'] })) as {
        vectors: number[][];
      };
      expect(embedded.vectors[0].length).toBeGreaterThan(0);
      const chat = (await bus.call(
        'llm.chat',
        [1, 0],
        { model: 'stories260K', messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 8 },
        { params: { model: 'stories260K' } },
      )) as { tokens_out: number };
      expect(chat.tokens_out).toBeGreaterThan(0);
    },
    60_000,
  );

  it('the node still serves after its parts were cycled: a market post and list through the bus', async () => {
    const { post } = (await node.view().bus.call('market.post', [1, 0], {
      category: 'offer',
      title: 'Ladder to lend',
      body: 'Ask at number 12.',
    })) as { post: { title: string } };
    expect(post.title).toBe('Ladder to lend');
    expect(await titles()).toContain('Ladder to lend');
  });

  it('the Node itself (its community rejoins from the saved config on start after stop)', async () => {
    await cycle(node);
    expect(node.view().scope()).not.toBeNull();
    expect(await titles()).toContain('Ladder to lend');
  }, 60_000);
});

describe('the lifecycle helpers themselves', () => {
  it('PeriodicTask', async () => {
    let runs = 0;
    const task = new PeriodicTask(() => void runs++, 1_000);
    await cycle(task);
    vi.useFakeTimers({ toFake: [...FAKE.toFake] });
    try {
      await task.stop();
      task.start();
      await vi.advanceTimersByTimeAsync(3_500);
      expect(runs).toBe(3);
      await task.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('StartGate: a failed start leaves the part stopped and undone, and it can start again', async () => {
    const log: string[] = [];
    let fail = true;
    const gate = new StartGate(
      () => {
        log.push('start');
        return fail ? Promise.reject(new Error('no disk')) : Promise.resolve();
      },
      () => void log.push('stop'),
    );
    await expect(gate.start()).rejects.toThrow('no disk');
    expect(gate.state).toBe('stopped');
    fail = false;
    await cycle(gate);
    expect(gate.running).toBe(true);
    expect(log.slice(0, 4)).toEqual(['start', 'stop', 'start', 'stop']);
  });
});
