import { describe, expect, it } from 'vitest';
import {
  buildCommunityManifest,
  defaultCommunityPolicy,
  effectiveThreshold,
  generateKeyPair,
  isMember,
  isRevoked,
  levelOf,
  parseCommunityManifest,
  regenerateCommunityManifestFromState,
  signPayload,
  verifyCommunityManifest,
  type CommunityStateSnapshot,
} from '../../../src-main/runtime/identity';
import { IdentityError } from '../../../src-main/runtime/identity';

const NOW = new Date('2026-05-26T08:00:00Z');

function caught(fn: () => unknown): IdentityError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IdentityError);
    return err as IdentityError;
  }
  throw new Error('expected a throw');
}

describe('community policy', () => {
  it('defaults to 1/2/3 and caps thresholds at the eligible signers, never below 1', () => {
    const p = defaultCommunityPolicy();
    expect([p.min_signatures_to_invite, p.min_signatures_to_demote, p.min_signatures_to_revoke]).toEqual([1, 2, 3]);
    expect(effectiveThreshold(3, 1)).toBe(1);
    expect(effectiveThreshold(3, 2)).toBe(2);
    expect(effectiveThreshold(3, 5)).toBe(3);
    expect(effectiveThreshold(3, 0)).toBe(1);
  });
});

describe('community manifest', () => {
  it('builds a root-signed manifest whose id is the root key and whose root is an anchor', () => {
    const root = generateKeyPair();
    const cm = buildCommunityManifest(root, 'Elm Street', undefined, NOW);
    expect(cm.community_id).toBe(root.nodeIdFull);
    expect(cm.root_key).toBe(root.nodeIdFull);
    expect(cm.created_at).toBe('2026-05-26T08:00:00Z');
    expect(levelOf(cm, root.nodeIdFull)).toBe('anchor');
    expect(levelOf(cm, root.nodeIdShort)).toBe('anchor');
    expect(isMember(cm, generateKeyPair().nodeIdFull)).toBe(false);
    expect(isRevoked(cm, root.nodeIdFull)).toBe(false);
    expect(() => verifyCommunityManifest(cm)).not.toThrow();
    expect(parseCommunityManifest(JSON.stringify(cm))).toEqual(cm);
  });

  it('rejects tampering, a foreign signer and a community id that is not the root key', () => {
    const root = generateKeyPair();
    const cm = buildCommunityManifest(root, 'Elm Street', undefined, NOW);
    const intruder = generateKeyPair();
    const added = parseCommunityManifest({
      ...cm,
      members: [
        ...cm.members,
        { node_id: intruder.nodeIdFull, level: 'anchor', added_at: cm.created_at, added_by: root.nodeIdFull },
      ],
    });
    expect(caught(() => verifyCommunityManifest(added)).code).toBe('invalid_signature');

    const { signature: _s, ...body } = cm;
    const forged = parseCommunityManifest(signPayload(body as Record<string, unknown>, intruder));
    expect(caught(() => verifyCommunityManifest(forged)).code).toBe('invalid_signature');

    const otherId = parseCommunityManifest(signPayload({ ...body, community_id: intruder.nodeIdFull }, root));
    const e = caught(() => verifyCommunityManifest(otherId));
    expect(e.code).toBe('bad_manifest');
    expect(e.details.field).toBe('community_id');

    const noRoot = parseCommunityManifest(signPayload({ ...body, members: [] }, root));
    expect(caught(() => verifyCommunityManifest(noRoot)).details.field).toBe('members');
  });

  it('names bad fields', () => {
    const cm = buildCommunityManifest(generateKeyPair(), 'Elm Street', undefined, NOW) as unknown as Record<
      string,
      unknown
    >;
    const cases: Array<[unknown, string]> = [
      [{ ...cm, name: '' }, 'name'],
      [{ ...cm, policy: { ...(cm.policy as object), min_signatures_to_revoke: 0 } }, 'policy.min_signatures_to_revoke'],
      [{ ...cm, policy: { ...(cm.policy as object), federation_enabled: 'yes' } }, 'policy.federation_enabled'],
      [{ ...cm, members: [{ ...(cm.members as object[])[0], level: 'unknown' }] }, 'members[0].level'],
      [{ ...cm, revoked: [{ node_id: 'bob', revoked_at: cm.created_at }] }, 'revoked[0].node_id'],
      [{ ...cm, head_lamport: -1 }, 'head_lamport'],
      [{ ...cm, version: 9 }, 'version'],
    ];
    for (const [input, field] of cases) {
      const e = caught(() => parseCommunityManifest(input as object));
      expect(e.code, field).toBe('bad_manifest');
      expect(e.details.field, field).toBe(field);
    }
  });

  it('only the root may regenerate (sign) the manifest from state', () => {
    const root = generateKeyPair();
    const member = generateKeyPair();
    const state: CommunityStateSnapshot = {
      version: 1,
      community_id: root.nodeIdFull as never,
      created: true,
      name: 'Elm Street',
      root_key: root.nodeIdFull,
      created_at: '2026-05-26T08:00:00Z' as never,
      lamport_at_creation: 1,
      head_lamport: 5,
      policy: defaultCommunityPolicy(),
      members: [
        {
          node_id: root.nodeIdFull,
          level: 'anchor',
          added_at: '2026-05-26T08:00:00Z' as never,
          added_by: root.nodeIdFull,
          status: 'joined',
          display_name: null,
          invite_expires_at: null,
        },
        {
          node_id: member.nodeIdFull,
          level: 'member',
          added_at: '2026-05-26T08:00:01Z' as never,
          added_by: root.nodeIdFull,
          status: 'invited',
          display_name: null,
          invite_expires_at: '2026-05-27T08:00:00Z' as never,
        },
      ],
      revoked: [],
    };
    const cm = regenerateCommunityManifestFromState(state, root, NOW);
    verifyCommunityManifest(cm);
    expect(cm.head_lamport).toBe(5);
    expect(isMember(cm, member.nodeIdFull)).toBe(true);
    // After the invite lapses, the un-joined invitee is left out.
    expect(
      isMember(regenerateCommunityManifestFromState(state, root, new Date('2026-05-28T00:00:00Z')), member.nodeIdFull),
    ).toBe(false);
    const e = caught(() => regenerateCommunityManifestFromState(state, member, NOW));
    expect(e.code).toBe('sign_failed');
    expect(e.message).toMatch(/only the community root key/);
    expect(caught(() => regenerateCommunityManifestFromState({ ...state, created: false }, root, NOW)).code).toBe(
      'sign_failed',
    );
  });
});
