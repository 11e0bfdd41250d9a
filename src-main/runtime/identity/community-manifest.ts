/**
 * Community manifests (§5 of ../shared/spec/hearthnet-reference.md manifest.py): the root-signed summary of who belongs.
 * The event log (community.* events) is the source of truth; the manifest is a signed cache of it
 * that a newcomer can check against the community id before it has synced anything.
 */
import { toWallClock, type CommunityId, type NodeId, type TrustLevel } from '../../common';
import { compileSchema, type Check } from '../schema';
import type { CommunityStateSnapshot } from './community-types';
import { defaultCommunityPolicy } from './community-policy';
import { COMMUNITY_MANIFEST_VERSION, CommunityManifestSchema } from './community-schemas';
import type { KeyPair } from './keys';
import type { CommunityManifest, CommunityPolicy } from './manifest-types';
import { isFullNodeId, shortOf } from './node-id';
import { wallClockMs } from './wall-clock';
import { jsonInput, readWith, type ShapeFail } from './wire-read';
import { signPayload, verifyPayload } from './signing';
import { IdentityError } from './errors';

export { COMMUNITY_MANIFEST_VERSION, MEMBER_LEVELS } from './community-schemas';

const fail: ShapeFail = (field, problem) => {
  throw new IdentityError('bad_manifest', `community manifest field "${field}" ${problem}`, { details: { field } });
};

/** Creates and signs the manifest of a new community whose id is the root's full node id. */
export function buildCommunityManifest(
  rootKp: KeyPair,
  name: string,
  policy: CommunityPolicy = defaultCommunityPolicy(),
  now: Date = new Date(),
  lamportAtCreation = 0,
): CommunityManifest {
  const createdAt = toWallClock(now);
  const root = rootKp.nodeIdFull;
  const body = {
    version: COMMUNITY_MANIFEST_VERSION,
    community_id: root as string as CommunityId,
    name,
    root_key: root,
    created_at: createdAt,
    lamport_at_creation: lamportAtCreation,
    policy: { ...policy },
    members: [{ node_id: root, level: 'anchor' as const, added_at: createdAt, added_by: root }],
    revoked: [],
    head_lamport: lamportAtCreation,
  };
  return parseCommunityManifest(signPayload(body, rootKp));
}

const checkManifest: Check<CommunityManifest> = compileSchema(CommunityManifestSchema);

/**
 * Strictly validates a community manifest (JSON bytes, text or an object) against
 * `CommunityManifestSchema` and returns a clean copy; IdentityError('bad_manifest') names the bad
 * field (`$` for the whole). Does not check the signature.
 */
export function parseCommunityManifest(blob: Uint8Array | string | object): CommunityManifest {
  return structuredClone(readWith(checkManifest, jsonInput(blob, fail), fail));
}

/**
 * Checks a community manifest: community_id equals root_key, the root is an anchor member, no
 * node is both member and revoked, and the root key signed it. Throws IdentityError
 * 'bad_manifest' (inconsistent) or 'invalid_signature'.
 */
export function verifyCommunityManifest(cm: CommunityManifest): void {
  if ((cm.community_id as string) !== cm.root_key)
    fail('community_id', 'must equal root_key (a community is named by its root key)');
  if (levelOf(cm, cm.root_key) !== 'anchor') fail('members', 'must list the root key as an anchor');
  const revoked = new Set(cm.revoked.map((r) => r.node_id));
  const seen = new Set<string>();
  for (const m of cm.members) {
    if (revoked.has(m.node_id)) fail('members', `lists ${m.node_id}, which is also revoked`);
    if (seen.has(m.node_id)) fail('members', `lists ${m.node_id} twice`);
    seen.add(m.node_id);
  }
  if (!verifyPayload(cm, cm.root_key)) {
    throw new IdentityError(
      'invalid_signature',
      `community manifest of "${cm.name}" is not signed by its root key (tampered or forged)`,
      { details: { community_id: cm.community_id } },
    );
  }
}

/** Full ids compare directly; a short id (`ed25519:XXXX-...`) matches the full id it hashes from. */
function sameNode(fullId: string, query: string): boolean {
  if (fullId === query) return true;
  return !isFullNodeId(query) && shortOf(fullId) === query;
}

export function levelOf(cm: Pick<CommunityManifest, 'members'>, nodeId: NodeId): TrustLevel | null {
  return cm.members.find((m) => sameNode(m.node_id, nodeId))?.level ?? null;
}

export function isMember(cm: Pick<CommunityManifest, 'members'>, nodeId: NodeId): boolean {
  return levelOf(cm, nodeId) !== null;
}

export function isRevoked(cm: Pick<CommunityManifest, 'revoked'>, nodeId: NodeId): boolean {
  return cm.revoked.some((r) => sameNode(r.node_id, nodeId));
}

/**
 * Signs a community manifest from a CommunityStateView snapshot. Lists joined members and
 * invitees whose invite is still open at `now`. Only the root key may sign: any other key gets
 * IdentityError('sign_failed') — peers serve the root-signed manifest they hold, and replay the
 * event log (the source of truth) for anything newer.
 */
export function regenerateCommunityManifestFromState(
  state: CommunityStateSnapshot,
  signingKp: KeyPair,
  now: Date = new Date(),
): CommunityManifest {
  if (!state.created || state.created_at === null) {
    throw new IdentityError(
      'sign_failed',
      `community ${state.community_id} has no community.created event yet; nothing to sign`,
    );
  }
  if (signingKp.nodeIdFull !== state.root_key) {
    throw new IdentityError(
      'sign_failed',
      `only the community root key (${shortOf(state.root_key)}) may sign the community manifest; this node (${signingKp.nodeIdShort}) should serve the root-signed manifest it holds and let peers replay the event log`,
      {
        details: { root_key: state.root_key, signer: signingKp.nodeIdFull },
      },
    );
  }
  const open = (m: CommunityStateSnapshot['members'][number]) =>
    m.status === 'joined' || m.invite_expires_at === null || now.getTime() < wallClockMs(m.invite_expires_at);
  const body = {
    version: COMMUNITY_MANIFEST_VERSION,
    community_id: state.community_id,
    name: state.name,
    root_key: state.root_key,
    created_at: state.created_at,
    lamport_at_creation: state.lamport_at_creation,
    policy: { ...state.policy },
    members: state.members
      .filter(open)
      .map((m) => ({ node_id: m.node_id, level: m.level, added_at: m.added_at, added_by: m.added_by })),
    revoked: state.revoked.map((r) => ({ node_id: r.node_id, revoked_at: r.revoked_at })),
    head_lamport: state.head_lamport,
  };
  return parseCommunityManifest(signPayload(body, signingKp));
}
