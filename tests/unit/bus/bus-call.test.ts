import { describe, expect, it } from 'vitest';
import { CallError, HearthError } from '../../../src-main/common';
import { defineCapability } from '../../../src-main/runtime/bus';
import type { CapabilityDescriptor, HandlerContext } from '../../../src-main/runtime/bus';
import { createMesh } from './loopback-mesh';
import type { MeshNode } from './loopback-mesh';
import { BusError } from '../../../src-main/runtime/bus';

const echoSchema = { type: 'object', required: ['text'], properties: { text: { type: 'string' } } };
const echo = defineCapability({
  name: 'test.echo',
  version: [1, 0],
  idempotent: true,
  request_schema: echoSchema,
  timeout_seconds: 5,
});
const post = defineCapability({
  name: 'test.post',
  version: [1, 0],
  idempotent: false,
  request_schema: echoSchema,
  timeout_seconds: 5,
});

/** Serve `d` on `n`, answering `{ text, by }`; returns the bodies it handled. */
/** Every node knows the test contracts from code (as real nodes know llm.chat's), so remote instances are `known`. */
function learnAll(mesh: ReturnType<typeof createMesh>) {
  for (const n of mesh.nodes) for (const d of [echo, post]) n.bus.learn(d);
}

function serve(n: MeshNode, d: CapabilityDescriptor = echo) {
  const seen: HandlerContext[] = [];
  n.bus.registerCapability(d, (ctx) => {
    seen.push(ctx);
    return Promise.resolve({ text: (ctx.body as { text: string }).text, by: n.name });
  });
  return seen;
}

/** Serve `d` on `n` with a handler that never answers; resolves `aborted` when its signal aborts. */
function hang(n: MeshNode, d: CapabilityDescriptor = echo) {
  let calls = 0;
  let onAbort!: () => void;
  const aborted = new Promise<void>((r) => (onAbort = r));
  n.bus.registerCapability(d, (ctx) => {
    calls++;
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    return new Promise(() => {});
  });
  return { aborted, calls: () => calls };
}

/** Make `viewer` rank `node`'s instances of `name` last (high observed latency). */
function slowInViewOf(viewer: MeshNode, node: MeshNode, name = 'test.echo') {
  for (const e of viewer.bus.registry.all())
    if (e.node_id === node.id && e.descriptor.name === name) e.p50_latency_ms = 1_000;
}

async function rejection(p: Promise<unknown>): Promise<HearthError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(HearthError);
    return e as HearthError;
  }
  throw new Error('did not reject');
}

const within = <T>(p: Promise<T>, ms = 2_000) =>
  Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`not within ${ms} ms`)), ms))]);

describe('CapabilityBus calls over a 3-node loopback mesh', () => {
  it('routes to the only node offering a capability and traces both ends', async () => {
    const mesh = createMesh();
    const [alice, , carol] = mesh.nodes;
    const seen = serve(carol);
    learnAll(mesh);
    mesh.sync();
    expect(await alice.bus.call('test.echo', '1.0', { text: 'hi' })).toEqual({ text: 'hi', by: 'carol' });
    expect(alice.transport.sent).toEqual([{ to: 'carol', capability: 'test.echo', stream: false }]);
    expect(seen[0].caller).toBe(alice.id);
    const [out] = alice.bus.recentTraces();
    expect(out).toMatchObject({
      capability: 'test.echo',
      version: '1.0',
      from_node: alice.id,
      to_node: carol.id,
      is_local: false,
      result: 'ok',
      bytes_in: 13,
    });
    expect(out.trace_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    const [inb] = carol.bus.recentTraces();
    expect(inb).toMatchObject({
      trace_id: out.trace_id,
      from_node: alice.id,
      to_node: carol.id,
      is_local: true,
      result: 'ok',
    });
    expect(alice.bus.stats()).toMatchObject({ calls_total: 1, calls_ok: 1, failovers: 0, remote_capabilities: 1 });
  });

  it('serves from this node in-process when it offers the capability', async () => {
    const mesh = createMesh();
    const [alice, bob] = mesh.nodes;
    const local = serve(alice);
    serve(bob);
    learnAll(mesh);
    mesh.sync();
    expect(await alice.bus.call('test.echo', [1, 0], { text: 'x' })).toEqual({ text: 'x', by: 'alice' });
    expect(alice.transport.sent).toEqual([]);
    expect(local[0].caller).toBe(alice.id);
    expect(alice.bus.recentTraces(1)[0]).toMatchObject({ is_local: true, to_node: alice.id });
  });

  it('fails over an idempotent call when a node hangs (timeout), and the hung handler is told to stop', async () => {
    const mesh = createMesh();
    const [alice, bob, carol] = mesh.nodes;
    const h = hang(bob);
    serve(carol);
    learnAll(mesh);
    mesh.sync();
    slowInViewOf(alice, carol);
    expect(await alice.bus.call('test.echo', '1.0', { text: 'hi' }, { timeoutMs: 80 })).toEqual({
      text: 'hi',
      by: 'carol',
    });
    await within(h.aborted);
    expect(alice.bus.recentTraces().map((t) => [t.to_node, t.result])).toEqual([
      [bob.id, 'timeout'],
      [carol.id, 'ok'],
    ]);
    expect(alice.bus.stats().failovers).toBe(1);
    expect(alice.bus.registry.all().find((e) => e.node_id === bob.id)!.success_rate).toBe(0);
    expect(bob.bus.registry.allLocal()[0].in_flight).toBe(0);
  });

  it('fails over an idempotent call when a node is partitioned', async () => {
    const mesh = createMesh();
    const [alice, bob, carol] = mesh.nodes;
    const bobSeen = serve(bob);
    serve(carol);
    learnAll(mesh);
    mesh.sync();
    slowInViewOf(alice, carol);
    mesh.partitioned.add('bob');
    expect(await alice.bus.call('test.echo', '1.0', { text: 'hi' })).toEqual({ text: 'hi', by: 'carol' });
    expect(alice.transport.sent.map((s) => s.to)).toEqual(['bob', 'carol']);
    expect(bobSeen).toHaveLength(0);
  });

  it.each(['timeout', 'partition'] as const)('does not fail over a non-idempotent call after a %s', async (fault) => {
    const mesh = createMesh();
    const [alice, bob, carol] = mesh.nodes;
    const h = hang(bob, post);
    const carolSeen = serve(carol, post);
    learnAll(mesh);
    mesh.sync();
    slowInViewOf(alice, carol, 'test.post');
    if (fault === 'partition') mesh.partitioned.add('bob');
    const e = await rejection(alice.bus.call('test.post', '1.0', { text: 'once' }, { timeoutMs: 60 }));
    expect(e.wireCode).toBe(fault);
    if (fault === 'partition') expect(e).toBeInstanceOf(CallError);
    expect(h.calls()).toBe(fault === 'timeout' ? 1 : 0);
    expect(carolSeen).toHaveLength(0);
    expect(alice.transport.sent.map((x) => x.to)).toEqual(['bob']);
    expect(alice.bus.stats()).toMatchObject({ calls_failed: 1, failovers: 0 });
  });

  it('rejects with capacity_exceeded (and retry_after_ms) past max_concurrent; a refused call may go elsewhere', async () => {
    const mesh = createMesh(['alice', 'bob', 'carol', 'dave']);
    const [alice, bob, carol, dave] = mesh.nodes;
    const limited = defineCapability({ ...post, max_concurrent: 1 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    bob.bus.registerCapability(limited, async () => {
      await gate;
      return { text: 'late', by: 'bob' };
    });
    learnAll(mesh);
    mesh.sync();
    const first = dave.bus.call('test.post', '1.0', { text: 'a' });
    const e = await rejection(alice.bus.call('test.post', '1.0', { text: 'b' }));
    expect(e.wireCode).toBe('capacity_exceeded');
    expect((e as CallError).retryAfterMs).toBeGreaterThan(0);
    expect(e.message).toMatch(/busy \(1 of 1/);
    // carol now offers it too; alice still ranks bob first but bob refuses before running
    serve(carol, limited);
    learnAll(mesh);
    mesh.sync();
    slowInViewOf(alice, carol, 'test.post');
    expect(await alice.bus.call('test.post', '1.0', { text: 'c' })).toEqual({ text: 'c', by: 'carol' });
    expect(alice.transport.sent.slice(-2).map((s) => s.to)).toEqual(['bob', 'carol']);
    release();
    expect(await first).toEqual({ text: 'late', by: 'bob' });
    expect(bob.bus.registry.allLocal()[0].in_flight).toBe(0);
  });

  it('enforces trust levels: member, trusted, anchor, self; unknown and revoked callers are forbidden', async () => {
    const mesh = createMesh();
    const [alice, bob, carol] = mesh.nodes;
    const eve = mesh.add('eve', {}, null);
    const levels = { 'test.m': 'member', 'test.t': 'trusted', 'test.a': 'anchor', 'test.s': 'self' } as const;
    const ran: string[] = [];
    for (const [name, trust] of Object.entries(levels)) {
      carol.bus.registerCapability(defineCapability({ name, version: [1, 0], trust_required: trust }), (ctx) => {
        ran.push(`${name}<-${ctx.caller === alice.id ? 'alice' : ctx.caller === carol.id ? 'carol' : 'other'}`);
        return Promise.resolve({ ok: true });
      });
    }
    learnAll(mesh);
    mesh.sync();
    const code = async (n: MeshNode, cap: string) =>
      alice.bus && (await rejection(n.bus.call(cap, '1.0', {}))).wireCode;
    expect(await alice.bus.call('test.m', '1.0', {})).toEqual({ ok: true });
    expect(await code(alice, 'test.t')).toBe('forbidden');
    mesh.trust.levels.set(alice.id, 'trusted');
    expect(await alice.bus.call('test.t', '1.0', {})).toEqual({ ok: true });
    expect(await code(alice, 'test.a')).toBe('forbidden');
    mesh.trust.levels.set(alice.id, 'anchor');
    expect(await alice.bus.call('test.a', '1.0', {})).toEqual({ ok: true });
    expect(await code(alice, 'test.s')).toBe('forbidden'); // even an anchor is not carol
    expect(await carol.bus.call('test.s', '1.0', {})).toEqual({ ok: true }); // carol herself
    const unknown = await rejection(eve.bus.call('test.m', '1.0', {}));
    expect(unknown.wireCode).toBe('forbidden');
    expect(unknown.message).toMatch(/not a member/);
    mesh.trust.revoked.add(bob.id);
    const revoked = await rejection(bob.bus.call('test.m', '1.0', {}));
    expect(revoked.message).toMatch(/removed from the community/);
    expect(ran).toEqual(['test.m<-alice', 'test.t<-alice', 'test.a<-alice', 'test.s<-carol']);
  });

  it('validates the request on the serving node and reports the path', async () => {
    const mesh = createMesh();
    const [alice, , carol] = mesh.nodes;
    const seen = serve(carol);
    learnAll(mesh);
    mesh.sync();
    const e = await rejection(alice.bus.call('test.echo', '1.0', { text: 5 }));
    expect(e.wireCode).toBe('schema_mismatch');
    expect(e.message).toBe('test.echo@1.0 request: /text must be string');
    expect(seen).toHaveLength(0);
    const resp = defineCapability({
      name: 'test.bad',
      version: [1, 0],
      response_schema: { type: 'object', required: ['n'] },
    });
    carol.bus.registerCapability(resp, () => Promise.resolve({}));
    learnAll(mesh);
    mesh.sync();
    expect((await rejection(alice.bus.call('test.bad', '1.0', {}))).message).toMatch(
      /response: \(root\) must have required property 'n'/,
    );
  });

  it('answers not_found with same-namespace alternatives, and hides handler internals', async () => {
    const mesh = createMesh();
    const [alice, , carol] = mesh.nodes;
    serve(carol);
    carol.bus.registerCapability(defineCapability({ name: 'test.crash', version: [1, 0] }), () =>
      Promise.reject(new Error('ENOENT /home/carol/secret')),
    );
    learnAll(mesh);
    mesh.sync();
    const inbound = await rejection(
      carol.bus.handleInbound({
        capability: 'test.nope',
        version: '1.0',
        body: {},
        caller: alice.id,
        traceId: 't',
        sessionId: null,
        stream: false,
        signal: new AbortController().signal,
      }),
    );
    expect(inbound).toBeInstanceOf(BusError);
    expect(inbound.wireCode).toBe('not_found');
    expect(inbound.details.alt_capabilities).toEqual(['test.crash@1.0', 'test.echo@1.0']);
    const outbound = await rejection(alice.bus.call('test.nope', '1.0', {}));
    expect([outbound.code, outbound.details.alt_capabilities]).toEqual([
      'not_found',
      ['test.crash@1.0', 'test.echo@1.0'],
    ]);
    expect((await rejection(alice.bus.call('test.echo', '2.0', { text: 'x' }))).code).toBe('not_found');
    expect((await rejection(alice.bus.call('Test.Echo', '1.0', {}))).code).toBe('namespace_violation');
    expect((await rejection(alice.bus.call('test.echo', 'v1', {}))).code).toBe('schema_mismatch');
    const crash = await rejection(alice.bus.call('test.crash', '1.0', {}));
    expect(crash.wireCode).toBe('internal_error');
    expect(crash.message).not.toMatch(/secret/);
  });

  it('keeps a session on one node, and quarantines a node that keeps failing', async () => {
    const mesh = createMesh();
    const [alice, bob, carol] = mesh.nodes;
    serve(bob);
    serve(carol);
    learnAll(mesh);
    mesh.sync();
    slowInViewOf(alice, carol);
    expect(await alice.bus.call('test.echo', '1.0', { text: '1' }, { sessionId: 's' })).toMatchObject({ by: 'bob' });
    const carolLooksBetter = () => {
      for (const e of alice.bus.registry.all()) e.p50_latency_ms = e.node_id === carol.id ? 1 : 900;
    };
    carolLooksBetter();
    expect(await alice.bus.call('test.echo', '1.0', { text: '2' }, { sessionId: 's' })).toMatchObject({ by: 'bob' });
    carolLooksBetter();
    expect(await alice.bus.call('test.echo', '1.0', { text: '3' })).toMatchObject({ by: 'carol' });
    // bob drops off: sticky session fails over, and after 5 failures bob is quarantined
    mesh.partitioned.add('bob');
    expect(await alice.bus.call('test.echo', '1.0', { text: 'x' }, { sessionId: 's' })).toMatchObject({ by: 'carol' });
    expect(alice.bus.router.sessionTarget('s')).toMatch(new RegExp(`^${carol.id}`));
    // bob had 2 successes; 3 failures make 5 calls at 40 %: quarantined
    for (let i = 0; i < 2; i++) {
      slowInViewOf(alice, carol);
      expect(alice.bus.stats().quarantined).toBe(0);
      expect(await alice.bus.call('test.echo', '1.0', { text: 'x' })).toMatchObject({ by: 'carol' });
    }
    expect(alice.transport.sent.filter((s) => s.to === 'bob')).toHaveLength(2 + 3);
    expect(alice.bus.stats().quarantined).toBe(1);
    slowInViewOf(alice, carol);
    const sentBefore = alice.transport.sent.length;
    await alice.bus.call('test.echo', '1.0', { text: 'y' }, { sessionId: 's2' });
    expect(alice.transport.sent.slice(sentBefore).map((s) => s.to)).toEqual(['carol']);
  });

  it('forgets a removed peer, and a caller abort cancels without failover', async () => {
    const mesh = createMesh();
    const [alice, bob, carol] = mesh.nodes;
    const h = hang(bob);
    serve(carol);
    learnAll(mesh);
    mesh.sync();
    slowInViewOf(alice, carol);
    const ctl = new AbortController();
    const p = alice.bus.call('test.echo', '1.0', { text: 'x' }, { signal: ctl.signal });
    await within(
      new Promise<void>((r) => {
        const t = setInterval(() => {
          if (h.calls() > 0) {
            clearInterval(t);
            r();
          }
        }, 1);
      }),
    );
    ctl.abort();
    expect((await rejection(p)).wireCode).toBe('cancelled');
    await within(h.aborted);
    expect(alice.transport.sent.map((s) => s.to)).toEqual(['bob']);
    alice.bus.onPeerRemoved(bob.id);
    alice.bus.onPeerRemoved(carol.id);
    expect((await rejection(alice.bus.call('test.echo', '1.0', { text: 'x' }))).code).toBe('not_found');
    expect(alice.bus.topologySnapshot()).toMatchObject({
      our_node_id: alice.id,
      peers: [],
      capabilities_remote: [],
      in_flight_total: 0,
    });
  });
});
