import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCapability } from '../../../src-main/runtime/bus';
import { createMesh, waitFor, type Mesh } from '../../support/mesh';

const anyObject = { type: 'object' } as const;

describe('rate limits between real nodes', () => {
  let mesh: Mesh;
  beforeAll(async () => {
    // Low limits so the hard limit is hit however slow the machine is (the defaults are 10/100 rps).
    mesh = await createMesh(2, { node: { rateLimits: { softPerCap: 2, hardPerCap: 5 } } });
    await waitFor(() => mesh.nodes.every((m) => m.node.api.status().peers.length === 1), 15_000, 'two nodes meeting');
  }, 60_000);
  afterAll(async () => mesh?.close());

  const offer = (name: string, handler: () => Promise<unknown>) =>
    mesh.byName('alice').node.bus.registerCapability(
      defineCapability({
        name,
        version: [1, 0],
        request_schema: anyObject,
        response_schema: null,
        idempotent: true,
        max_concurrent: 10_000,
      }),
      handler,
    );

  it('hard rate limits answer capacity_exceeded with retry_after_ms', async () => {
    const bob = mesh.byName('bob').node;
    offer('test.cheap', () => Promise.resolve({ ok: true }));
    await waitFor(() => bob.api.capabilities({ name: 'test.cheap' }).length > 0, 15_000, 'bob to learn test.cheap');
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, () => bob.bus.call('test.cheap', [1, 0], {}, { timeoutMs: 20_000 })),
    );
    const limited = results.filter(
      (r) => r.status === 'rejected' && (r.reason as { wireCode?: string }).wireCode === 'capacity_exceeded',
    );
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThan(0);
    expect(limited.length).toBeGreaterThan(0);
    const reason = (limited[0] as PromiseRejectedResult).reason as {
      retryAfterMs?: number;
      details?: Record<string, unknown>;
    };
    expect(reason.retryAfterMs ?? reason.details?.retry_after_ms).toBeGreaterThan(0);
  });
});
