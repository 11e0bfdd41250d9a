import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../../src-main/common';
import {
  defineCapability,
  HealthTracker,
  Registry,
  Router,
  scoreOf,
  toCapabilitySpec,
} from '../../../src-main/runtime/bus';
import type { CapabilityDescriptor, RouteRequest, RouterConfig } from '../../../src-main/runtime/bus';
import type { NodeManifest } from '../../../src-main/runtime/identity';

const us = 'ed25519:us' as NodeId;
const bob = 'ed25519:bob' as NodeId;
const carol = 'ed25519:carol' as NodeId;
const ep = (port: number) => ({ transport: 'https', host: '127.0.0.1', port });
const chat = defineCapability({
  name: 'llm.chat',
  version: [1, 0],
  params: { model: 'qwen', ctx: 8192 },
  max_concurrent: 10,
});

function setup(
  config: Partial<RouterConfig> = {},
  local: CapabilityDescriptor | null = chat,
  remote: Record<string, unknown>[] = [chat.params, chat.params],
) {
  let t = 0;
  const now = () => t;
  const registry = new Registry(us, { now });
  const health = new HealthTracker({ now });
  const router = new Router(registry, { preferLocal: true, localLoadThreshold: 0.8, ...config }, us, health);
  if (local) registry.registerLocal(local, () => Promise.resolve({}));
  [bob, carol].forEach((node, i) => {
    if (!remote[i]) return;
    const spec = { ...toCapabilitySpec(chat), params: remote[i] };
    registry.updateFromPeerManifest({ nodeId: node, endpoint: ep(4000 + i) }, {
      node_id: node,
      capabilities: [spec],
    } as unknown as NodeManifest);
  });
  const at = (node: NodeId) => registry.all().find((e) => e.node_id === node)!;
  return { registry, health, router, at, advance: (ms: number) => (t += ms) };
}

const req = (over: Partial<RouteRequest> = {}): RouteRequest => ({
  capability: 'llm.chat',
  versionReq: [1, 0],
  body: {},
  caller: us,
  traceId: 't',
  sessionId: null,
  params: null,
  stream: false,
  ...over,
});

describe('Router', () => {
  it('prefers the local instance while its load is under the threshold', () => {
    const { router, at } = setup();
    at(bob).p50_latency_ms = 1; // even a much faster peer does not beat a lightly loaded local
    expect(router.route(req())?.node_id).toBe(us);
    at(us).in_flight = 7; // 0.7 < 0.8
    expect(router.route(req())?.node_id).toBe(us);
    at(us).in_flight = 8; // 0.8: no longer preferred, scored with the rest
    expect(router.route(req())?.node_id).toBe(bob);
  });

  it('scores by latency, success rate and free capacity when not preferring local', () => {
    const { router, at } = setup({ preferLocal: false });
    for (const n of [us, bob, carol]) at(n).p50_latency_ms = 100;
    at(carol).p50_latency_ms = 20;
    expect(router.route(req())?.node_id).toBe(carol);
    at(carol).success_rate = 0.55; // faster but failing half the time
    expect(router.route(req())?.node_id).not.toBe(carol);
    at(us).in_flight = 10; // saturated: last
    const order = router.rankedCandidates(req()).map((e) => e.node_id);
    expect(order[order.length - 1]).toBe(us);
    expect(scoreOf(at(bob))).toBeGreaterThan(scoreOf(at(us)));
  });

  it('filters by params with the default rule and with a capability predicate', () => {
    const { router, registry } = setup({}, null, [
      { model: 'qwen', ctx: 4096 },
      { model: 'llama', ctx: 32768, modalities: ['text', 'image'] },
    ]);
    expect(router.candidates(req({ params: { model: 'qwen' } })).map((e) => e.node_id)).toEqual([bob]);
    expect(router.candidates(req({ params: { ctx: 8000 } })).map((e) => e.node_id)).toEqual([carol]);
    expect(router.candidates(req({ params: { modalities: ['image'] } })).map((e) => e.node_id)).toEqual([carol]);
    expect(router.candidates(req({ params: { model: 'mistral' } }))).toEqual([]);
    expect(router.candidates(req({ params: {} }))).toHaveLength(2);
    // the LLM service's own rule (reference §3.6): model must match, ctx must fit
    registry.learn(
      chat,
      (offered, requested) =>
        requested.model === offered.model && !((requested.ctx as number) > (offered.ctx as number)),
    );
    expect(router.candidates(req({ params: { model: 'llama', ctx: 100_000 } }))).toEqual([]);
    expect(router.candidates(req({ params: { model: 'llama', ctx: 1000 } })).map((e) => e.node_id)).toEqual([carol]);
  });

  it('leaves out quarantined instances until the quarantine ends, and contract mismatches', () => {
    const { router, health, at, advance, registry } = setup({ preferLocal: false }, null);
    for (let i = 0; i < 5; i++) health.record(at(bob), { success: false, latencyMs: 1 });
    expect(router.candidates(req()).map((e) => e.node_id)).toEqual([carol]);
    advance(60_000);
    expect(
      router
        .candidates(req())
        .map((e) => e.node_id)
        .sort(),
    ).toEqual([bob, carol].sort());
    registry.learn(defineCapability({ ...chat, request_schema: { type: 'object', required: ['x'] } }));
    registry.updateFromPeerManifest({ nodeId: carol, endpoint: ep(4001) }, {
      node_id: carol,
      capabilities: [toCapabilitySpec(chat)],
    } as unknown as NodeManifest);
    expect(at(carol).contract).toBe('mismatch');
    expect(router.candidates(req()).map((e) => e.node_id)).toEqual([bob]);
  });

  it('keeps a session on the same instance while it is healthy, and moves it when not', () => {
    const { router, health, at } = setup({ preferLocal: false }, null);
    at(bob).p50_latency_ms = 10;
    at(carol).p50_latency_ms = 50;
    const first = router.routeSticky(req({ sessionId: 's1' }))!;
    expect(first.node_id).toBe(bob);
    expect(at(bob).sticky_sessions.has('s1')).toBe(true);
    at(carol).p50_latency_ms = 1; // carol is now better, but the session stays
    expect(router.routeSticky(req({ sessionId: 's1' }))?.node_id).toBe(bob);
    expect(router.route(req())?.node_id).toBe(carol); // non-sticky routing follows the score
    for (let i = 0; i < 5; i++) health.record(at(bob), { success: false, latencyMs: 1 });
    expect(router.routeSticky(req({ sessionId: 's1' }))?.node_id).toBe(carol);
    expect(at(bob).sticky_sessions.has('s1')).toBe(false);
    router.releaseSession('s1');
    expect(at(carol).sticky_sessions.size).toBe(0);
    expect(router.sessionTarget('s1')).toBeUndefined();
  });

  it('returns null when nobody offers the capability', () => {
    const { router } = setup();
    expect(router.route(req({ capability: 'rag.query' }))).toBeNull();
    expect(router.route(req({ versionReq: [2, 0] }))).toBeNull();
  });
});
