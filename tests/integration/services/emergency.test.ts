/**
 * Emergency mode end to end: every node probes a local HTTP server; when it stops answering the
 * mesh goes offline after the debounce, alice's cloud LLM (hf_api pointed at a fake OpenAI server,
 * requires_internet) leaves her bus and bob's view, and both come back when the server returns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCapability } from '../../../src-main/runtime/bus';
import type { RunningNode } from '../../../src-main/runtime/node';
import { LlamaCppBackend } from '../../../src-main/runtime/services/llm';
import { startFakeOpenAi, type FakeServer } from '../../support/fake-vendors';
import { createMesh, waitFor, type Mesh } from '../../support/mesh';
import { skipWithoutModel, STORIES_GGUF } from '../../support/models';
import { ProbeServer } from '../../support/probe-server';

const KEY_ENV = 'HEARTHNET_TEST_FAKE_CLOUD_KEY';
const MODEL = 'stories260K';

const cloudChat = (n: RunningNode, opts: { remoteOnly?: boolean; localOnly?: boolean }) =>
  n.api
    .capabilities({ name: 'llm.chat', ...opts })
    .filter((r) => r.params.requires_internet === true && r.params.model === MODEL);

describe.skipIf(skipWithoutModel('emergency mode with a cloud LLM', STORIES_GGUF))(
  'emergency mode across the mesh',
  () => {
    let mesh: Mesh;
    let probe: ProbeServer;
    let cloud: FakeServer;
    let engine: LlamaCppBackend;
    beforeAll(async () => {
      process.env[KEY_ENV] = 'sk-test-not-a-real-key';
      engine = new LlamaCppBackend({ modelPath: STORIES_GGUF!, threads: 1, maxConcurrent: 1 });
      cloud = await startFakeOpenAi({ backend: engine, models: [MODEL], apiKey: process.env[KEY_ENV] });
      probe = new ProbeServer();
      await probe.start();
      mesh = await createMesh(3, {
        configure: (c, name) => ({
          ...c,
          emergency: { ...c.emergency, probe_targets: [probe.url] },
          llm:
            name === 'alice'
              ? { backends: [{ name: 'hf_api', url: cloud.url, model: MODEL, api_key_env: KEY_ENV }] }
              : c.llm,
        }),
        node: { emergency: { debounceSeconds: 1, intervalOnline: 0.2, intervalOffline: 0.2 } },
      });
      await waitFor(() => mesh.nodes.every((m) => m.node.api.status().peers.length === 2), 15_000, 'full mesh');
    }, 60_000);
    afterAll(async () => {
      await mesh?.close();
      await probe?.stop();
      await cloud?.close();
      await engine?.close();
      delete process.env[KEY_ENV];
    });

    it('probe server down: every node goes offline, the cloud capability is withdrawn; back up: it returns', async () => {
      const alice = mesh.byName('alice').node;
      const bob = mesh.byName('bob').node;
      const aliceId = alice.kp.nodeIdFull;
      const nodes = mesh.nodes.map((m) => m.node);

      // Online: alice offers the cloud model and bob can use it (through alice, to the fake vendor).
      expect(nodes.map((n) => n.api.status().mode)).toEqual(['online', 'online', 'online']);
      expect(cloudChat(alice, { localOnly: true })).toHaveLength(1);
      await waitFor(() => cloudChat(bob, { remoteOnly: true }).length === 1, 10_000, 'bob to see the cloud model');
      const answer = (await bob.bus.call(
        'llm.chat',
        [1, 0],
        { model: MODEL, messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 8 },
        { params: { model: MODEL } },
      )) as { text: string; tokens_out: number };
      expect(answer.tokens_out).toBeGreaterThan(0);
      expect(cloud.requests.some((r) => r.path === '/v1/chat/completions')).toBe(true);
      expect(await alice.metrics.text()).toMatch(/hearthnet_emergency_mode\{state="online"\} 1/);

      const t0 = Date.now();
      await probe.stop();
      await waitFor(() => nodes.every((n) => n.api.status().mode === 'offline'), 10_000, 'every node offline');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1_000); // the 1 s debounce held the mode first
      expect(cloudChat(alice, { localOnly: true })).toEqual([]);
      // Alice's own local llm.chat list no longer has it; bob's remote list loses it too.
      await waitFor(() => cloudChat(bob, { remoteOnly: true }).length === 0, 10_000, 'the cloud model to leave bob');
      await waitFor(
        () => bob.peerRegistry.get(aliceId)?.manifest?.load.mode === 'offline',
        10_000,
        "alice's manifest at bob to say offline",
      );
      const offlineMetrics = await alice.metrics.text();
      expect(offlineMetrics).toMatch(/hearthnet_emergency_mode\{state="offline"\} 1/);
      expect(offlineMetrics).toMatch(/hearthnet_emergency_mode\{state="online"\} 0/);
      await expect(
        bob.bus.call(
          'llm.chat',
          [1, 0],
          { model: MODEL, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 4 },
          { params: { model: MODEL } },
        ),
      ).rejects.toMatchObject({ wireCode: 'not_found' });
      // Capabilities that need no internet stay (the marketplace, files).
      expect(bob.api.capabilities({ name: 'market.list', remoteOnly: true }).some((r) => r.node_id === aliceId)).toBe(
        true,
      );
      // A cloud capability registered while offline (a late service start) is held too, not offered.
      alice.bus.registerCapability(
        defineCapability({
          name: 'test.cloud',
          version: [1, 0],
          params: { requires_internet: true },
          request_schema: { type: 'object' },
          response_schema: null,
          idempotent: true,
        }),
        () => Promise.resolve({ ok: true }),
      );
      expect(alice.api.capabilities({ name: 'test.cloud', localOnly: true })).toEqual([]);

      await probe.start(); // same port
      await waitFor(() => nodes.every((n) => n.api.status().mode === 'online'), 10_000, 'every node back online');
      expect(cloudChat(alice, { localOnly: true })).toHaveLength(1);
      expect(alice.api.capabilities({ name: 'test.cloud', localOnly: true })).toHaveLength(1);
      await waitFor(
        () => cloudChat(bob, { remoteOnly: true }).length === 1,
        10_000,
        'the cloud model to return to bob',
      );
      await waitFor(
        () => bob.api.capabilities({ name: 'test.cloud', remoteOnly: true }).length === 1,
        10_000,
        'test.cloud to reach bob',
      );
      await waitFor(
        () => bob.peerRegistry.get(aliceId)?.manifest?.load.mode === 'online',
        10_000,
        "alice's manifest at bob to say online",
      );
      expect(await alice.metrics.text()).toMatch(/hearthnet_emergency_mode\{state="online"\} 1/);
      const again = (await bob.bus.call(
        'llm.chat',
        [1, 0],
        { model: MODEL, messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 8 },
        { params: { model: MODEL } },
      )) as { tokens_out: number };
      expect(again.tokens_out).toBeGreaterThan(0);
    });

    it('a node booting during an outage comes up offline without offering its cloud model, and offers it once the internet returns', async () => {
      const aliceM = mesh.byName('alice');
      const bob = mesh.byName('bob').node;
      await probe.stop();
      const alice = await aliceM.restart();
      await waitFor(() => alice.api.status().mode === 'offline', 5_000, 'alice to boot offline'); // first round: no debounce
      expect(cloudChat(alice, { localOnly: true })).toEqual([]);
      expect(
        alice.manifest().capabilities.some((c) => c.name === 'llm.chat' && c.params.requires_internet === true),
      ).toBe(false);
      await waitFor(() => bob.api.status().mode === 'offline', 10_000, 'bob offline too');
      await waitFor(
        () => bob.peerRegistry.get(alice.kp.nodeIdFull)?.manifest?.load.mode === 'offline',
        10_000,
        "alice's new manifest at bob",
      );
      expect(cloudChat(bob, { remoteOnly: true })).toEqual([]);

      await probe.start();
      await waitFor(() => alice.api.status().mode === 'online', 10_000, 'alice back online');
      expect(cloudChat(alice, { localOnly: true })).toHaveLength(1);
      await waitFor(() => cloudChat(bob, { remoteOnly: true }).length === 1, 10_000, 'the cloud model to reach bob');
    });
  },
);
