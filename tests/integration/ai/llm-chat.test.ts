/**
 * llm.chat served by a real in-process llama.cpp model (stories260K) on alice, streamed by bob over
 * the mesh: real tokens and a done frame, cancellation frees the slot, saturation is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNode } from '../../../src-main/runtime/node';
import { createMesh, waitFor, type Mesh } from '../../support/mesh';
import { skipWithoutModel, STORIES_GGUF } from '../../support/models';

const MODEL = 'stories260K';
const chatBody = (maxTokens: number) => ({
  model: MODEL,
  messages: [{ role: 'user', content: 'Once upon a time there was a little dog' }],
  max_tokens: maxTokens,
  temperature: 0.8,
});
const streamInput = (maxTokens: number) => ({
  capability: 'llm.chat',
  version: '1.0',
  body: chatBody(maxTokens),
  params: { model: MODEL },
});

describe.skipIf(skipWithoutModel('llm.chat over the mesh', STORIES_GGUF))(
  'llm.chat from a real llama.cpp model across the mesh',
  () => {
    let mesh: Mesh;
    let alice: RunningNode;
    let bob: RunningNode;
    beforeAll(async () => {
      mesh = await createMesh(2, {
        configure: (c, name) =>
          name === 'alice'
            ? { ...c, llm: { backends: [{ name: 'llama_cpp', url: null, model: STORIES_GGUF!, api_key_env: null }] } }
            : c,
      });
      [alice, bob] = mesh.nodes.map((m) => m.node);
      await waitFor(
        () => bob.api.capabilities({ name: 'llm.chat', remoteOnly: true }).some((r) => r.params.model === MODEL),
        15_000,
        'bob to learn llm.chat',
      );
    }, 60_000);
    afterAll(async () => mesh?.close());

    const llmHealth = () =>
      (
        alice.ai.llm.health() as { models: Array<{ model: string; state: string; running: number; waiting: number }> }
      ).models.find((m) => m.model === MODEL)!;

    it('offers the model with its §21 params and streams real tokens to bob, then a done frame', async () => {
      const row = bob.api.capabilities({ name: 'llm.chat', remoteOnly: true }).find((r) => r.params.model === MODEL)!;
      expect(row.node_id).toBe(alice.kp.nodeIdFull);
      expect(row.params).toMatchObject({ backend: 'llama_cpp', requires_internet: false });
      expect(llmHealth().state).toBe('ready');

      let text = '';
      let done: Record<string, unknown> | null = null;
      for await (const f of bob.api.stream(streamInput(24), new AbortController().signal)) {
        if (f.event === 'token') text += String(f.data.text);
        if (f.event === 'done') done = f.data;
      }
      expect(text.trim().length).toBeGreaterThan(0);
      expect(text).toMatch(/[a-z]/i);
      expect(done).not.toBeNull();
      expect(done!.tokens_out as number).toBeGreaterThan(0);
      expect(done!.tokens_out as number).toBeLessThanOrEqual(24);
      expect(done!.tokens_in as number).toBeGreaterThan(0);
      // The serving node traced the inbound call with its token count.
      const trace = alice.bus
        .recentTraces(20)
        .find((t) => t.capability === 'llm.chat' && t.from_node === bob.kp.nodeIdFull);
      expect(trace?.result).toBe('ok');
      expect(await alice.metrics.text()).toMatch(
        /hearthnet_llm_tokens_generated_total\{[^}]*model="stories260K"[^}]*\} [1-9]/,
      );
    });

    it('cancelling mid-stream frees the slot on alice; the next call is answered promptly', async () => {
      let tokens = 0;
      const ac = new AbortController();
      for await (const f of bob.api.stream(streamInput(4000), ac.signal)) {
        if (f.event === 'done') throw new Error('the long generation finished before we could cancel it');
        if (f.event === 'token' && ++tokens === 3) break;
      }
      expect(tokens).toBe(3);
      await waitFor(() => llmHealth().running === 0 && llmHealth().waiting === 0, 5_000, 'the slot to be released');
      const t0 = Date.now();
      const r = (await bob.bus.call('llm.chat', [1, 0], chatBody(8), { params: { model: MODEL } })) as {
        text: string;
        tokens_out: number;
      };
      expect(r.tokens_out).toBeGreaterThan(0);
      expect(Date.now() - t0).toBeLessThan(5_000);
    });

    it('more requests than slots + queue: the extra ones get capacity_exceeded with retry_after_ms', async () => {
      const row = bob.api.capabilities({ name: 'llm.chat', remoteOnly: true }).find((r) => r.params.model === MODEL)!;
      const capacity = row.max_concurrent; // running slots + wait queue
      expect(capacity).toBeGreaterThanOrEqual(2);
      const n = capacity + 3;
      const results = await Promise.allSettled(
        Array.from({ length: n }, () =>
          bob.bus.call('llm.chat', [1, 0], chatBody(300), { params: { model: MODEL }, timeoutMs: 20_000 }),
        ),
      );
      const refused = results.filter((r) => r.status === 'rejected');
      const ok = results.filter((r) => r.status === 'fulfilled');
      expect(ok.length).toBeGreaterThanOrEqual(1);
      expect(ok.length).toBeLessThanOrEqual(capacity);
      expect(refused.length).toBeGreaterThanOrEqual(n - capacity);
      for (const r of refused) expect(r.reason).toMatchObject({ wireCode: 'capacity_exceeded' });
      const reason = refused[0].reason as {
        retryAfterMs?: number;
        details?: Record<string, unknown>;
      };
      expect(reason.retryAfterMs ?? reason.details?.retry_after_ms).toBeGreaterThan(0);
      await waitFor(() => llmHealth().running === 0, 10_000, 'alice to drain');
    });
  },
);
