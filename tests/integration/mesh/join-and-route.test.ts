import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCapability } from '../../../src-main/runtime/bus';
import { createMesh, waitFor, type Mesh } from '../../support/mesh';

describe('a three-node mesh on one machine', () => {
  let mesh: Mesh;
  beforeAll(async () => {
    mesh = await createMesh(3);
  }, 60_000);
  afterAll(async () => mesh?.close());

  it('joins by invite: every node sees the other two and the same event log', async () => {
    await waitFor(
      () => mesh.nodes.every((m) => m.node.api.status().peers.length === 2),
      10_000,
      'every node to see two peers',
    );
    await waitFor(
      () => {
        const heads = mesh.nodes.map((m) => m.node.api.status().event_log);
        return heads.every((h) => h.head === heads[0].head && h.count === heads[0].count);
      },
      10_000,
      'identical event logs',
    );
    const ids = (m: Mesh['nodes'][number]) => new Set([...m.node.community()!.log.replay()].map((e) => e.event_id));
    const [a, b, c] = mesh.nodes.map(ids);
    expect([...b].sort()).toEqual([...a].sort());
    expect([...c].sort()).toEqual([...a].sort());
    const status = mesh.byName('bob').node.api.status();
    expect(status.community?.name).toBe('Test Street');
    expect(status.peers.map((p) => p.display_name).sort()).toEqual(['alice', 'carol']);
  });

  it("lists neighbours' capabilities as remote", async () => {
    const alice = mesh.byName('alice').node;
    const rows = await waitFor(
      () => {
        const r = alice.api.capabilities({ remoteOnly: true });
        return r.some((x) => x.name === 'market.list') && new Set(r.map((x) => x.node_id)).size === 2 ? r : null;
      },
      10_000,
      'remote market capabilities',
    );
    expect(rows.every((r) => !r.is_local)).toBe(true);
    expect(rows.map((r) => r.node_name)).toContain('bob');
  });

  it('routes a call to the only node offering the capability, over real HTTPS', async () => {
    const bob = mesh.byName('bob').node;
    bob.bus.registerCapability(
      defineCapability({
        name: 'test.whoami',
        version: [1, 0],
        request_schema: {
          type: 'object',
          properties: { ping: { type: 'string' } },
          required: ['ping'],
          additionalProperties: false,
        },
        response_schema: null,
        idempotent: true,
      }),
      (ctx) =>
        Promise.resolve({
          served_by: bob.kp.nodeIdFull,
          caller: ctx.caller,
          ping: (ctx.body as { ping: string }).ping,
        }),
    );
    const alice = mesh.byName('alice').node;
    const result = (await waitFor(
      () => alice.api.call({ capability: 'test.whoami', version: '1.0', body: { ping: 'hello' } }).catch(() => null),
      15_000,
      'test.whoami to reach alice',
    )) as Record<string, string>;
    expect(result).toEqual({ served_by: bob.kp.nodeIdFull, caller: alice.kp.nodeIdFull, ping: 'hello' });
    const trace = alice.api.traces({ n: 5, capability: 'test.whoami' })[0];
    expect(trace.is_local).toBe(false);
    expect(trace.to_node).toBe(bob.kp.nodeIdFull);
    // A malformed body is refused by bob's schema, with the wire code, not a crash.
    await expect(
      alice.api.call({ capability: 'test.whoami', version: '1.0', body: { ping: 3 } }),
    ).rejects.toMatchObject({ wireCode: 'schema_mismatch' });
  });
});
