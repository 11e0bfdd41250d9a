/**
 * One-scan join between real nodes: a node with no community starts one, hands out a join code,
 * and fresh nodes join with it over the signed, pinned peer transport. Single use, expiry and
 * tampering are refused by the inviter's node and change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJoinCode, encodeJoinCode, MAX_JOIN_CODE_CHARS } from '../../../src-main/runtime/onboarding';
import { createMesh, waitFor, type Mesh } from '../../support/mesh';
import { OnboardingError } from '../../../src-main/runtime/onboarding';

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(OnboardingError);
    return (err as OnboardingError).code;
  }
  throw new Error('expected a refusal');
}

describe('join codes between real nodes', () => {
  let mesh: Mesh;
  beforeAll(async () => {
    mesh = await createMesh(4, { noCommunity: true });
  }, 60_000);
  afterAll(async () => {
    await mesh?.close();
  });

  it('a household starts a community, a neighbour joins with one code, and the code works once', async () => {
    const alice = mesh.byName('alice').node;
    const bob = mesh.byName('bob').node;
    const carol = mesh.byName('carol').node;
    const started = await alice.api.onboarding.createCommunity({ name: 'Elm Street', whoInvites: 'trusted' });
    expect(started).toEqual({ community_id: alice.kp.nodeIdFull, name: 'Elm Street' });
    expect(alice.config.community.community_id).toBe(alice.kp.nodeIdFull);

    const code = await alice.api.onboarding.createJoinCode({ level: 'member', ttlSeconds: 600 });
    expect(code.text.length).toBeLessThan(MAX_JOIN_CODE_CHARS);
    expect(code.text.startsWith('hearthnet://join/v1?')).toBe(true);
    expect(Buffer.from(code.qr_png_base64, 'base64').subarray(1, 4).toString()).toBe('PNG');

    const joined = await bob.api.onboarding.join({ text: `Join us: ${code.text}` });
    expect(joined).toMatchObject({
      community_id: alice.kp.nodeIdFull,
      name: 'Elm Street',
      inviter: alice.kp.nodeIdFull,
    });
    await waitFor(
      () => alice.api.status().peers.some((p) => p.node_id === bob.kp.nodeIdFull),
      15_000,
      'alice to see bob',
    );
    await waitFor(
      () =>
        alice
          .community()!
          .state.members()
          .some((m) => m.node_id === bob.kp.nodeIdFull && m.status === 'joined'),
      15_000,
      'bob joined in alice log',
    );

    // In a community where only trusted households invite, a member cannot make a code (said at once, not at scan time).
    expect(await refusal(bob.api.onboarding.createJoinCode({ level: 'member', ttlSeconds: 600 }))).toBe(
      'invite_invalid',
    );

    // Reused by another household: refused by alice's node; carol stays outside, alice's log unchanged.
    const before = alice.community()!.log.count();
    expect(await refusal(carol.api.onboarding.join({ text: code.text }))).toBe('join_code_used');
    expect(carol.community()).toBeNull();
    expect(alice.community()!.log.count()).toBe(before);
  });

  it('a tampered or expired code is refused and changes nothing', async () => {
    const alice = mesh.byName('alice').node;
    const carol = mesh.byName('carol').node;
    const fresh = await alice.api.onboarding.createJoinCode({ level: 'member', ttlSeconds: 600 });
    const decoded = decodeJoinCode(fresh.text);
    const before = alice.community()!.log.count();

    // Another secret: alice's node does not know it.
    const otherSecret = encodeJoinCode({ ...decoded, secret: 'A'.repeat(22) });
    expect(await refusal(carol.api.onboarding.join({ text: otherSecret }))).toBe('join_code_unknown');
    // Another inviter id: the node at that address is not that id, so nothing is sent.
    const otherInviter = encodeJoinCode({ ...decoded, inviter: carol.kp.nodeIdFull });
    expect(await refusal(carol.api.onboarding.join({ text: otherInviter }))).toBe('bootstrap_unreachable');
    // Cut short.
    expect(await refusal(carol.api.onboarding.join({ text: fresh.text.slice(0, 60) }))).toBe('join_code_invalid');
    // Expired by its own date: refused before any traffic.
    const expired = encodeJoinCode({ ...decoded, expiresAt: Math.floor(Date.now() / 1000) - 5 });
    expect(await refusal(carol.api.onboarding.join({ text: expired }))).toBe('join_code_expired');
    expect(carol.community()).toBeNull();
    expect(alice.community()!.log.count()).toBe(before);

    // The untouched code still works after all that.
    await carol.api.onboarding.join({ text: fresh.text });
    expect(carol.community()?.communityId).toBe(alice.kp.nodeIdFull);
  });

  it('a later expiry written into a code gives it no longer life (the inviter keeps its own)', async () => {
    const alice = mesh.byName('alice').node;
    const dave = mesh.byName('dave').node;
    const code = await alice.api.onboarding.createJoinCode({ level: 'member', ttlSeconds: 60 });
    const decoded = decodeJoinCode(code.text);
    const later = encodeJoinCode({ ...decoded, expiresAt: decoded.expiresAt + 86_400 });
    // Within the real 60 s it joins (once); the book's expiry is tested with a clock in unit tests.
    await dave.api.onboarding.join({ text: later });
    expect(dave.community()?.communityId).toBe(alice.kp.nodeIdFull);
    expect(await refusal(dave.api.onboarding.join({ text: later }))).toBe('already_member');
  });
});
