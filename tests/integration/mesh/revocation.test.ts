import { describe, expect, it } from 'vitest';
import { defineCapability } from '../../../src-main/runtime/bus';
import { waitFor } from '../../support/mesh';
import { fullMeshForFile } from '../../support/mesh-per-file';

describe('revoking a member', () => {
  const mesh = fullMeshForFile();

  it('needs the policy signatures, then cuts the node off from calls and sync, and refuses its later events', async () => {
    const alice = mesh().byName('alice').node;
    const bob = mesh().byName('bob').node;
    const carol = mesh().byName('carol').node;
    alice.bus.registerCapability(
      defineCapability({
        name: 'test.ping',
        version: [1, 0],
        request_schema: { type: 'object' },
        response_schema: null,
        idempotent: true,
      }),
      () => Promise.resolve({ pong: true }),
    );
    await waitFor(
      () => carol.api.call({ capability: 'test.ping', version: '1.0', body: {} }).catch(() => null),
      15_000,
      'carol reaching test.ping',
    );

    // bob is a plain member: his revocation alone is refused everywhere and changes nothing.
    const countBefore = bob.community()!.log.count();
    const refused = bob.api.governance({ action: 'revoke', nodeId: carol.kp.nodeIdFull, reason: 'test' });
    expect(refused.done).toBe(false);
    expect(refused.message).toMatch(/signature/);
    expect(bob.community()!.log.count()).toBe(countBefore);

    // alice (the root, the only trusted signer so far) can revoke: the threshold is capped at the eligible signers.
    const done = alice.api.governance({ action: 'revoke', nodeId: carol.kp.nodeIdFull, reason: 'moved away' });
    expect(done.done).toBe(true);
    await waitFor(
      () => bob.community()!.state.isRevoked(carol.kp.nodeIdFull),
      10_000,
      'bob to learn of the revocation',
    );

    // carol can no longer call alice: the transport refuses her before the bus runs anything.
    const refusedCall = await carol.bus.call('test.ping', [1, 0], {}, { timeoutMs: 5000 }).then(
      () => null,
      (e: unknown) => e as { wireCode: string; message: string },
    );
    expect(refusedCall?.wireCode).toMatch(/forbidden|not_found/);
    // Refused by the transport, the message tells carol why (a not_found means alice was already dropped from her routes).
    if (refusedCall?.wireCode === 'forbidden') expect(refusedCall.message).toMatch(/removed .*revoked/);
    // Her own events are refused by the others' logs.
    const { EventLogError } = await import('../../../src-main/runtime/events');
    const stale = carol.community()!.log.appendLocal(
      'market.post.created',
      {
        category: 'offer',
        title: 'Old bike',
        body: 'x',
        tags: [],
        location: null,
        expires_at: '2099-01-01T00:00:00Z',
      },
      carol.kp,
    );
    expect(() => alice.community()!.log.appendReceived(stale)).toThrow(EventLogError);
    expect(() => alice.community()!.log.appendReceived(stale)).toThrow(
      expect.objectContaining({ code: 'revoked_author' }),
    );
    // Carol's own status explains it: her sync rounds are refused, and the refusals say why.
    await waitFor(
      () => carol.api.status().peers.some((p) => p.node_id === alice.kp.nodeIdFull && p.refuses_us === 'revoked'),
      15_000,
      'carol to see that alice refuses her as revoked',
    );
    // And alice no longer routes anything to her.
    await waitFor(
      () => !alice.api.status().peers.some((p) => p.node_id === carol.kp.nodeIdFull),
      10_000,
      'carol dropped from alice peers',
    );
  });
});
