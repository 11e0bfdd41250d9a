import { describe, expect, it } from 'vitest';
import { type TrustLevel } from '../../../src-main/common';
import type { Event } from '../../../src-main/runtime/events/types';
import {
  coSignDemotion,
  coSignPromotion,
  coSignRevocation,
  communityOf,
  CommunityStateView,
  defaultCommunityPolicy,
  generateKeyPair,
  levelChangeData,
  revocationData,
  verifyCommunityManifest,
  type CoSignature,
  type KeyPair,
} from '../../../src-main/runtime/identity';
import { eventMaker, T0 } from './event-helper';
import { IdentityError } from '../../../src-main/runtime/identity';

const inviteExpiry = '2026-05-27T08:00:00Z';

/** A community: root R, trusted A (promoted), trusted B, members C and D, all joined. */
function setup() {
  const [R, A, B, C, D] = Array.from({ length: 5 }, () => generateKeyPair());
  const cid = communityOf(R.nodeIdFull);
  const mk = eventMaker(cid);
  const rejected: string[] = [];
  const view = new CommunityStateView({
    communityId: cid,
    now: () => T0,
    onRejected: (_e, v) => rejected.push(v.reason),
  });
  const log: Event[] = [];
  const accept = (e: Event) => {
    expect(view.validate(e)).toEqual({ ok: true });
    view.apply(e);
    log.push(e);
    return e;
  };
  const invite = (by: KeyPair, who: KeyPair, level: TrustLevel) =>
    mk(by, 'community.member.invited', {
      invitee: who.nodeIdFull,
      level,
      expires_at: inviteExpiry,
      inviter: by.nodeIdFull,
    });
  const join = (who: KeyPair, name: string) =>
    mk(who, 'community.member.joined', { node_id: who.nodeIdFull, display_name: name });
  accept(mk(R, 'community.created', { name: 'Elm Street', policy: defaultCommunityPolicy(), root: R.nodeIdFull }));
  accept(invite(R, A, 'member'));
  accept(join(A, 'Ana'));
  accept(
    mk(
      R,
      'community.member.promoted',
      levelChangeData(A.nodeIdFull, 'trusted', [coSignPromotion(R, cid, A.nodeIdFull, 'trusted')]),
    ),
  );
  accept(invite(A, B, 'trusted'));
  accept(join(B, 'Ben'));
  accept(invite(R, C, 'member'));
  accept(join(C, 'Cai'));
  accept(invite(B, D, 'member'));
  accept(join(D, 'Dee'));
  return { R, A, B, C, D, cid, mk, view, log, accept, invite, join, rejected };
}

/** Validate refuses with `code`, and apply leaves the state exactly as it was. */
function expectRefused(view: CommunityStateView, e: Event, code: string, reason?: RegExp) {
  const before = JSON.stringify({ ...view.snapshotState(), head_lamport: 0 });
  const v = view.validate(e);
  expect(v.ok).toBe(false);
  if (!v.ok) {
    expect(v.code).toBe(code);
    if (reason) expect(v.reason).toMatch(reason);
  }
  view.apply(e);
  expect(JSON.stringify({ ...view.snapshotState(), head_lamport: 0 })).toBe(before);
}

describe('community state view', () => {
  it('tracks created -> invited -> joined -> promoted with levels, names and membership', () => {
    const { R, A, B, C, D, view } = setup();
    expect(view.name()).toBe('Elm Street');
    expect(view.rootKey()).toBe(R.nodeIdFull);
    expect(view.levelOf(R.nodeIdFull)).toBe('anchor');
    expect(view.levelOf(A.nodeIdFull)).toBe('trusted');
    expect(view.levelOf(B.nodeIdShort)).toBe('trusted');
    expect(view.levelOf(C.nodeIdFull)).toBe('member');
    expect(
      view
        .members()
        .map((m) => m.node_id)
        .sort(),
    ).toEqual([R, A, B, C, D].map((k) => k.nodeIdFull).sort());
    expect(view.members().find((m) => m.node_id === D.nodeIdFull)).toMatchObject({
      status: 'joined',
      display_name: 'Dee',
      added_by: B.nodeIdFull,
    });
    expect(view.headLamport).toBe(10);
    expect(view.isMember(generateKeyPair().nodeIdFull)).toBe(false);
  });

  it('the root is a member even before community.created, so its first event is accepted', () => {
    const R = generateKeyPair();
    const view = new CommunityStateView({ communityId: R.nodeIdFull });
    expect(view.isMember(R.nodeIdFull)).toBe(true);
    const mk = eventMaker(R.nodeIdFull);
    expectRefused(
      view,
      mk(R, 'community.member.invited', {
        invitee: generateKeyPair().nodeIdFull,
        level: 'member',
        expires_at: inviteExpiry,
        inviter: R.nodeIdFull,
      }),
      'forbidden',
      /must come before/,
    );
    expectRefused(
      view,
      mk(generateKeyPair(), 'community.created', { name: 'X', policy: defaultCommunityPolicy(), root: R.nodeIdFull }),
      'forbidden',
      /root/,
    );
    expectRefused(
      view,
      mk(R, 'community.created', {
        name: 'X',
        policy: { ...defaultCommunityPolicy(), min_signatures_to_revoke: 0 },
        root: R.nodeIdFull,
      }),
      'forbidden',
      /min_signatures_to_revoke/,
    );
    const created = mk(R, 'community.created', { name: 'X', policy: defaultCommunityPolicy(), root: R.nodeIdFull });
    expect(view.validate(created)).toEqual({ ok: true });
    view.apply(created);
    expectRefused(
      view,
      mk(R, 'community.created', { name: 'Y', policy: defaultCommunityPolicy(), root: R.nodeIdFull }),
      'forbidden',
      /already/,
    );
    expectRefused(
      view,
      eventMaker(generateKeyPair().nodeIdFull)(R, 'chat.message.sent', {}),
      'forbidden',
      /belongs to community/,
    );
  });

  it('an invitee is a member from its invite on (can sync before joining), until the invite lapses', () => {
    const { R, mk, view, accept, invite, join } = setup();
    const E = generateKeyPair();
    accept(invite(R, E, 'member'));
    expect(view.isMember(E.nodeIdFull)).toBe(true);
    expect(view.validate(mk(E, 'chat.message.sent', { text: 'hi' }))).toEqual({ ok: true });
    // Someone else may not join in E's name.
    expectRefused(
      view,
      mk(R, 'community.member.joined', { node_id: E.nodeIdFull, display_name: 'Eve' }),
      'forbidden',
      /invitee itself/,
    );
    // After expiry (by the oracle's clock, and by the join event's own wall clock) E is out.
    const later = new CommunityStateView({
      communityId: view.communityId,
      now: () => new Date('2026-05-28T00:00:00Z'),
    });
    later.restoreState(view.snapshotState());
    expect(later.isMember(E.nodeIdFull)).toBe(false);
    expectRefused(
      view,
      mk(
        E,
        'community.member.joined',
        { node_id: E.nodeIdFull, display_name: 'Eve' },
        new Date('2026-05-28T00:00:00Z'),
      ),
      'unknown_author',
    );
    accept(join(E, 'Eve'));
    expectRefused(view, join(E, 'Eve again'), 'forbidden', /no open invite/);
    expect(later.isMember(generateKeyPair().nodeIdFull)).toBe(false);
  });

  it('enforces who may invite and at what level', () => {
    const { R, A, C, mk, view, accept, invite } = setup();
    const E = generateKeyPair();
    expectRefused(view, invite(C, E, 'member'), 'forbidden', /may not invite/);
    expectRefused(view, invite(A, E, 'anchor'), 'forbidden', /cannot invite at level anchor/);
    expectRefused(view, invite(generateKeyPair(), E, 'member'), 'unknown_author');
    expectRefused(view, invite(R, A, 'member'), 'forbidden', /already a member/);
    expectRefused(
      view,
      mk(A, 'community.member.invited', {
        invitee: E.nodeIdFull,
        level: 'member',
        expires_at: inviteExpiry,
        inviter: R.nodeIdFull,
      }),
      'forbidden',
      /inviter/,
    );
    expectRefused(
      view,
      mk(A, 'community.member.invited', {
        invitee: 'bob',
        level: 'member',
        expires_at: inviteExpiry,
        inviter: A.nodeIdFull,
      }),
      'forbidden',
      /data\.invitee/,
    );
    // The root opens invites to members; C may then invite, but only at its own level.
    accept(
      mk(R, 'community.policy.updated', { policy: { ...defaultCommunityPolicy(), default_member_can_invite: true } }),
    );
    expectRefused(view, invite(C, E, 'trusted'), 'forbidden', /cannot invite at level trusted/);
    accept(invite(C, E, 'member'));
  });

  it('policy updates are root-only', () => {
    const { R, A, mk, view, accept } = setup();
    expectRefused(
      view,
      mk(A, 'community.policy.updated', { policy: { ...defaultCommunityPolicy(), min_signatures_to_revoke: 1 } }),
      'forbidden',
      /only the community root/,
    );
    expectRefused(view, mk(R, 'community.policy.updated', { policy: { nope: 1 } }), 'forbidden', /policy/);
    accept(mk(R, 'community.policy.updated', { policy: { ...defaultCommunityPolicy(), min_signatures_to_revoke: 2 } }));
    expect(view.policy().min_signatures_to_revoke).toBe(2);
  });

  it('revocation needs min_signatures_to_revoke distinct valid trusted/anchor co-signatures', () => {
    const { R, A, B, C, D, cid, mk, view, accept, rejected } = setup();
    const reason = 'lost laptop';
    const sig = (kp: KeyPair) => coSignRevocation(kp, cid, C.nodeIdFull, reason);
    const revoke = (sigs: CoSignature[]) =>
      mk(A, 'community.member.revoked', revocationData(C.nodeIdFull, reason, sigs));
    expectRefused(view, revoke([sig(R), sig(A)]), 'forbidden', /needs 3 .* got 2/);
    expectRefused(view, revoke([sig(R), sig(A), sig(A)]), 'forbidden', /duplicate/);
    expectRefused(view, revoke([sig(R), sig(A), sig(D)]), 'forbidden', /not a trusted or anchor member/);
    expectRefused(
      view,
      revoke([sig(R), sig(A), coSignRevocation(B, cid, C.nodeIdFull, 'another reason')]),
      'forbidden',
      /bad signature/,
    );
    expectRefused(
      view,
      revoke([sig(R), sig(A), { signer: B.nodeIdFull, signature: sig(A).signature }]),
      'forbidden',
      /bad signature/,
    );
    expectRefused(
      view,
      mk(A, 'community.member.revoked', { node_id: C.nodeIdFull, reason }),
      'forbidden',
      /signatures/,
    );
    expectRefused(
      view,
      mk(
        A,
        'community.member.revoked',
        revocationData(
          R.nodeIdFull,
          reason,
          [R, A, B].map((k) => coSignRevocation(k, cid, R.nodeIdFull, reason)),
        ),
      ),
      'forbidden',
      /root cannot be revoked/,
    );
    expect(rejected.length).toBeGreaterThanOrEqual(7);
    expect(view.isMember(C.nodeIdFull)).toBe(true);

    accept(revoke([sig(R), sig(A), sig(B)]));
    expect(view.isRevoked(C.nodeIdFull)).toBe(true);
    expect(view.isMember(C.nodeIdFull)).toBe(false);
    expect(view.levelOf(C.nodeIdFull)).toBeNull();
    expect(view.revoked()).toEqual([{ node_id: C.nodeIdFull, revoked_at: expect.any(String) as unknown }]);
    expectRefused(view, mk(C, 'chat.message.sent', { text: 'still here?' }), 'revoked_author');
    expectRefused(
      view,
      mk(R, 'community.member.invited', {
        invitee: C.nodeIdFull,
        level: 'member',
        expires_at: inviteExpiry,
        inviter: R.nodeIdFull,
      }),
      'forbidden',
      /revoked/,
    );
  });

  it('caps thresholds at the eligible signers so a young community is not locked', () => {
    const R = generateKeyPair();
    const E = generateKeyPair();
    const cid = communityOf(R.nodeIdFull);
    const mk = eventMaker(cid);
    const view = new CommunityStateView({ communityId: cid, now: () => T0 });
    view.apply(mk(R, 'community.created', { name: 'Just me', policy: defaultCommunityPolicy(), root: R.nodeIdFull }));
    view.apply(
      mk(R, 'community.member.invited', {
        invitee: E.nodeIdFull,
        level: 'member',
        expires_at: inviteExpiry,
        inviter: R.nodeIdFull,
      }),
    );
    const revoke = mk(
      R,
      'community.member.revoked',
      revocationData(E.nodeIdFull, 'typo', [coSignRevocation(R, cid, E.nodeIdFull, 'typo')]),
    );
    expect(view.validate(revoke)).toEqual({ ok: true });
    view.apply(revoke);
    expect(view.isRevoked(E.nodeIdFull)).toBe(true);
  });

  it('demotion needs min_signatures_to_demote; promotion one trusted/anchor signer (anchor for anchor)', () => {
    const { R, A, B, C, D, cid, mk, view, accept } = setup();
    const demote = (sigs: CoSignature[]) =>
      mk(R, 'community.member.demoted', levelChangeData(B.nodeIdFull, 'member', sigs));
    expectRefused(view, demote([coSignDemotion(R, cid, B.nodeIdFull, 'member')]), 'forbidden', /needs 2/);
    expectRefused(
      view,
      demote([coSignDemotion(R, cid, B.nodeIdFull, 'member'), coSignDemotion(B, cid, B.nodeIdFull, 'member')]),
      'forbidden',
      /needs 2/,
    );
    expectRefused(
      view,
      mk(
        R,
        'community.member.demoted',
        levelChangeData(
          R.nodeIdFull,
          'member',
          [R, A].map((k) => coSignDemotion(k, cid, R.nodeIdFull, 'member')),
        ),
      ),
      'forbidden',
      /root cannot be demoted/,
    );
    accept(demote([coSignDemotion(R, cid, B.nodeIdFull, 'member'), coSignDemotion(A, cid, B.nodeIdFull, 'member')]));
    expect(view.levelOf(B.nodeIdFull)).toBe('member');

    expectRefused(
      view,
      mk(
        C,
        'community.member.promoted',
        levelChangeData(D.nodeIdFull, 'trusted', [coSignPromotion(C, cid, D.nodeIdFull, 'trusted')]),
      ),
      'forbidden',
      /not a trusted or anchor/,
    );
    expectRefused(
      view,
      mk(
        A,
        'community.member.promoted',
        levelChangeData(D.nodeIdFull, 'anchor', [coSignPromotion(A, cid, D.nodeIdFull, 'anchor')]),
      ),
      'forbidden',
      /anchor signature/,
    );
    expectRefused(
      view,
      mk(
        A,
        'community.member.promoted',
        levelChangeData(A.nodeIdFull, 'trusted', [coSignPromotion(R, cid, A.nodeIdFull, 'trusted')]),
      ),
      'forbidden',
      /must raise/,
    );
    accept(
      mk(
        C,
        'community.member.promoted',
        levelChangeData(D.nodeIdFull, 'anchor', [coSignPromotion(R, cid, D.nodeIdFull, 'anchor')]),
      ),
    );
    expect(view.levelOf(D.nodeIdFull)).toBe('anchor');
  });

  it('snapshot/restore and reset+replay give the same state; a bad snapshot changes nothing', () => {
    const { R, A, B, C, cid, mk, view, log, accept } = setup();
    accept(
      mk(
        A,
        'community.member.revoked',
        revocationData(
          C.nodeIdFull,
          'x',
          [R, A, B].map((k) => coSignRevocation(k, cid, C.nodeIdFull, 'x')),
        ),
      ),
    );
    const snap = view.snapshotState();
    const copy = new CommunityStateView({ communityId: cid, now: () => T0 });
    copy.restoreState(JSON.parse(JSON.stringify(snap)) as Record<string, unknown>);
    expect(copy.snapshotState()).toEqual(snap);
    expect(copy.isRevoked(C.nodeIdFull)).toBe(true);
    expect(copy.members()).toEqual(view.members());

    view.reset();
    expect(view.isMember(A.nodeIdFull)).toBe(false);
    for (const e of log) view.apply(e);
    expect(view.snapshotState()).toEqual(snap);

    for (const bad of [
      { ...snap, version: 7 },
      { ...snap, community_id: A.nodeIdFull },
      { ...snap, members: [{ node_id: 'x' }] },
    ]) {
      expect(() => copy.restoreState(bad)).toThrow(IdentityError);
      expect(copy.snapshotState()).toEqual(snap);
    }
  });

  it('signs its manifest with the root key only', () => {
    const { R, A, view } = setup();
    const cm = view.toManifest(R);
    verifyCommunityManifest(cm);
    expect(cm.members).toHaveLength(5);
    expect(cm.head_lamport).toBe(10);
    expect(cm.lamport_at_creation).toBe(1);
    expect(() => view.toManifest(A)).toThrow(expect.objectContaining({ code: 'sign_failed' }));
  });
});
