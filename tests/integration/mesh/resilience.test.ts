import { describe, expect, it } from 'vitest';
import { defineCapability, type CapabilityBus } from '../../../src-main/runtime/bus';
import { waitFor } from '../../support/mesh';
import { fullMeshForFile } from '../../support/mesh-per-file';

const anyObject = { type: 'object' } as const;

function offer(
  bus: CapabilityBus,
  name: string,
  handler: Parameters<CapabilityBus['registerCapability']>[1],
  extra: Record<string, unknown> = {},
) {
  bus.registerCapability(
    defineCapability({
      name,
      version: [1, 0],
      request_schema: anyObject,
      response_schema: null,
      idempotent: true,
      ...extra,
    }),
    handler,
  );
}

describe('mesh resilience', () => {
  const mesh = fullMeshForFile();

  it('a cancelled stream stops the producer on the serving node', async () => {
    const alice = mesh().byName('alice').node;
    const bob = mesh().byName('bob').node;
    let produced = 0;
    let stoppedAt = -1;
    offer(
      alice.bus,
      'test.forever',
      async function* (ctx) {
        try {
          while (!ctx.signal.aborted) {
            produced++;
            yield { event: 'token', data: { text: `t${produced} ` } };
            await new Promise((r) => setTimeout(r, 5));
          }
        } finally {
          stoppedAt = produced;
        }
      },
      { idempotent: false, stream_schema: anyObject },
    );
    await waitFor(() => bob.api.capabilities({ name: 'test.forever' }).length > 0, 15_000, 'bob to learn test.forever');
    let got = 0;
    for await (const frame of bob.api.stream(
      { capability: 'test.forever', version: '1.0', body: {} },
      new AbortController().signal,
    )) {
      if (frame.event === 'token') got++;
      if (got === 5) break;
    }
    expect(got).toBe(5);
    await waitFor(() => stoppedAt >= 0, 10_000, 'the producer to stop');
    const finalCount = produced;
    await new Promise((r) => setTimeout(r, 300));
    expect(produced).toBe(finalCount);
  });

  it('fails over to another node when the serving node dies mid-call, then quarantines it', async () => {
    const alice = mesh().byName('alice').node;
    const served: string[] = [];
    // Alice knows the contract (as every node knows the standard ones), so she may retry elsewhere.
    alice.bus.learn(
      defineCapability({
        name: 'test.work',
        version: [1, 0],
        request_schema: anyObject,
        response_schema: null,
        idempotent: true,
        timeout_seconds: 20,
      }),
    );
    let release: (() => void) | null = null;
    for (const m of [mesh().byName('bob'), mesh().byName('carol')]) {
      offer(
        m.node.bus,
        'test.work',
        async () => {
          served.push(m.name);
          if (served.length === 1) {
            // The first node to get the call dies before answering.
            await new Promise<void>((r) => (release = r));
          }
          return { served_by: m.name };
        },
        { timeout_seconds: 20 },
      );
    }
    await waitFor(
      () => alice.api.capabilities({ name: 'test.work', remoteOnly: true }).length === 2,
      15_000,
      'both test.work instances at alice',
    );
    const call = alice.bus.call('test.work', [1, 0], {}, { timeoutMs: 15_000 });
    await waitFor(() => served.length === 1, 10_000, 'the first attempt to arrive');
    const victim = mesh().byName(served[0]);
    await victim.stop();
    (release as (() => void) | null)?.();
    const result = (await call) as { served_by: string };
    expect(result.served_by).not.toBe(victim.name);
    expect(alice.bus.stats().failovers).toBeGreaterThanOrEqual(1);

    // Keep calling: every call succeeds on the live node; the dead instance is marked unhealthy
    // (quarantined once it has failed often enough) and is not chosen again.
    for (let i = 0; i < 8; i++)
      expect(
        ((await alice.bus.call('test.work', [1, 0], {}, { timeoutMs: 15_000 })) as { served_by: string }).served_by,
      ).not.toBe(victim.name);
    const dead = alice.api
      .capabilities({ name: 'test.work', remoteOnly: true })
      .find((r) => r.node_id === victim.node.kp.nodeIdFull);
    expect(dead === undefined || dead.quarantined || dead.success_rate < 1).toBe(true);
  });
});
