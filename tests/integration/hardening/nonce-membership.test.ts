/** Issue 15 item 5: a non-member's signed requests must not fill the replay-nonce cache. */
import { afterEach, describe, expect, it } from 'vitest';
import { CallError } from '../../../src-main/common';
import { startNode, type TestNode } from '../transport/helpers';

const nodes: TestNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

describe('membership is checked before the nonce is remembered', () => {
  it('a stranger sending more signed requests than the cache holds does not push a member into capacity_exceeded', async () => {
    const member = await startNode();
    const stranger = await startNode();
    // A cache of 5 nonces: the stranger's 8 requests would fill it if they were recorded.
    const b = await startNode({ isAllowed: (id) => id === member.kp.nodeIdFull, maxNonces: 5 });
    nodes.push(member, stranger, b);
    await member.client.learnPeer(b.address.endpoint);
    await stranger.client.learnPeer(b.address.endpoint);
    for (let i = 0; i < 8; i++) {
      const e = await stranger.client.call(b.address, 'test.echo', '1.0', { i }).then(
        () => null,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(CallError);
      expect((e as CallError).code).toBe('forbidden');
    }
    const r = (await member.client.call(b.address, 'test.echo', '1.0', { ok: 1 })) as { echo: unknown };
    expect(r.echo).toEqual({ ok: 1 });
    expect(b.bus.calls).toHaveLength(1);
  });
});
