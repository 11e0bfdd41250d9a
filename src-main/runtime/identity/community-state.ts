/**
 * CommunityStateView: community membership materialised from community.* events, and the
 * MembershipOracle the event log asks before accepting another node's event.
 */
import { type CommunityId, type NodeId, type TrustLevel, type WallClock } from '../../common';
import type { Event, MaterialisedView, MembershipOracle } from '../events/types';
import { regenerateCommunityManifestFromState } from './community-manifest';
import { defaultCommunityPolicy } from './community-policy';
import { isMemberAt, judge, Refusal, type Change, type RuleState, type Verdict } from './community-rules';
import { COMMUNITY_STATE_VERSION, type CommunityStateSnapshot, type MemberRecord } from './community-types';
import type { KeyPair } from './keys';
import type { CommunityManifest, CommunityPolicy, RevokedEntry } from './manifest-types';
import { isFullNodeId, rootNodeOf, shortOf } from './node-id';
import type { Static } from '@sinclair/typebox';
import { compileSchema, type Check } from '../schema';
import { readWith, type ShapeFail } from './wire-read';
import { CommunityStateSnapshotSchema } from './community-schemas';
import { IdentityError } from './errors';

export interface CommunityStateViewOptions {
  /** The community this view follows (= its root's full node id). */
  communityId: CommunityId | string;
  /** Clock for `isMember` of invitees that have not joined yet. Defaults to the system clock. */
  now?: () => Date;
  /** Told about every event the view ignores because it breaks a rule (for logging). */
  onRejected?: (event: Event, verdict: Extract<Verdict, { ok: false }>) => void;
}

/**
 * Replays community.* events into membership. Rule-breaking events are ignored by `apply` (and
 * reported to `onRejected`); call `validate` first to refuse them before they are stored.
 * Rules judge pending invites at the event's own wall_clock, so replay is deterministic.
 */
export class CommunityStateView implements MaterialisedView, MembershipOracle, RuleState {
  readonly communityId: CommunityId;
  private readonly now: () => Date;
  private readonly onRejected?: CommunityStateViewOptions['onRejected'];
  private isCreated = false;
  private communityName = '';
  private createdAt: WallClock | null = null;
  private lamportAtCreation = 0;
  private head = 0;
  private currentPolicy: CommunityPolicy = defaultCommunityPolicy();
  private readonly memberMap = new Map<NodeId, MemberRecord>();
  private readonly revokedMap = new Map<NodeId, RevokedEntry>();

  constructor(opts: CommunityStateViewOptions) {
    if (!isFullNodeId(opts.communityId))
      throw new IdentityError('bad_node_id', `community id must be a full node id, got "${opts.communityId}"`);
    this.communityId = String(opts.communityId) as CommunityId;
    this.now = opts.now ?? (() => new Date());
    this.onRejected = opts.onRejected;
  }

  // --- RuleState -------------------------------------------------------------------------

  record(nodeId: NodeId): MemberRecord | undefined {
    return this.memberMap.get(this.resolve(nodeId));
  }

  records(): Iterable<MemberRecord> {
    return this.memberMap.values();
  }

  // --- MembershipOracle ------------------------------------------------------------------

  /** True for the root, joined members, and invitees whose invite is still open now. */
  isMember(nodeId: NodeId): boolean {
    const full = this.resolve(nodeId);
    if (full === rootNodeOf(this.communityId)) return true;
    return !this.revokedMap.has(full) && isMemberAt(this.memberMap.get(full), this.now().getTime());
  }

  isRevoked(nodeId: NodeId): boolean {
    return this.revokedMap.has(this.resolve(nodeId));
  }

  /** Accepts short ids too, for the UI; the log always passes full ids. */
  private resolve(nodeId: NodeId): NodeId {
    // Known ids first: this runs several times per bus call (trust checks), and parsing an id costs more than the lookups.
    const root = rootNodeOf(this.communityId);
    if (this.memberMap.has(nodeId) || this.revokedMap.has(nodeId) || nodeId === root) return nodeId;
    if (!nodeId.startsWith('ed25519:') || isFullNodeId(nodeId)) return nodeId;
    for (const id of [...this.memberMap.keys(), ...this.revokedMap.keys(), root]) if (shortOf(id) === nodeId) return id;
    return nodeId;
  }

  // --- queries ---------------------------------------------------------------------------

  levelOf(nodeId: NodeId): TrustLevel | null {
    return this.isMember(nodeId) ? (this.record(nodeId)?.level ?? 'anchor') : null;
  }

  /** Members (joined, and invitees with an open invite), sorted by node id. */
  members(): MemberRecord[] {
    return [...this.memberMap.values()].filter((m) => this.isMember(m.node_id)).sort(byNodeId);
  }

  revoked(): RevokedEntry[] {
    return [...this.revokedMap.values()].sort(byNodeId);
  }

  /** True once `community.created` has been applied. */
  get created(): boolean {
    return this.isCreated;
  }

  policy(): CommunityPolicy {
    return { ...this.currentPolicy };
  }

  name(): string {
    return this.communityName;
  }

  rootKey(): NodeId {
    return this.communityId as string as NodeId;
  }

  /** Highest Lamport of any event this view has processed (accepted or ignored). */
  get headLamport(): number {
    return this.head;
  }

  // --- MaterialisedView ------------------------------------------------------------------

  /** Whether `event` may be stored: `{ok:false, code, reason}` for 'unknown_author' | 'revoked_author' | 'forbidden'. */
  validate(event: Event): Verdict {
    try {
      judge(event, this);
      return { ok: true };
    } catch (err) {
      if (err instanceof Refusal) return { ok: false, code: err.code, reason: err.reason };
      throw err;
    }
  }

  apply(event: Event): void {
    this.head = Math.max(this.head, event.lamport);
    let change: Change;
    try {
      change = judge(event, this);
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      this.onRejected?.(event, { ok: false, code: err.code, reason: err.reason });
      return;
    }
    this.applyChange(change, event);
  }

  private applyChange(c: Change, e: Event): void {
    switch (c.kind) {
      case 'create':
        this.isCreated = true;
        this.communityName = c.name;
        this.currentPolicy = c.policy;
        this.createdAt = e.wall_clock;
        this.lamportAtCreation = e.lamport;
        this.memberMap.set(e.author, {
          node_id: e.author,
          level: 'anchor',
          added_at: e.wall_clock,
          added_by: e.author,
          status: 'joined',
          display_name: null,
          invite_expires_at: null,
        });
        return;
      case 'invite':
        this.memberMap.set(c.invitee, {
          node_id: c.invitee,
          level: c.level,
          added_at: e.wall_clock,
          added_by: e.author,
          status: 'invited',
          display_name: null,
          invite_expires_at: c.expiresAt,
        });
        return;
      case 'join': {
        const rec = this.memberMap.get(e.author); // judge() refused a join without an open invite
        if (rec)
          this.memberMap.set(e.author, {
            ...rec,
            status: 'joined',
            display_name: c.displayName,
            invite_expires_at: null,
          });
        return;
      }
      case 'level': {
        const rec = this.memberMap.get(c.nodeId); // judge() refused a level change of a non-member
        if (rec) this.memberMap.set(c.nodeId, { ...rec, level: c.level });
        return;
      }
      case 'revoke':
        this.memberMap.delete(c.nodeId);
        this.revokedMap.set(c.nodeId, { node_id: c.nodeId, revoked_at: e.wall_clock });
        return;
      case 'policy':
        this.currentPolicy = c.policy;
        return;
      case 'none':
        return;
    }
  }

  reset(): void {
    this.isCreated = false;
    this.communityName = '';
    this.createdAt = null;
    this.lamportAtCreation = 0;
    this.head = 0;
    this.currentPolicy = defaultCommunityPolicy();
    this.memberMap.clear();
    this.revokedMap.clear();
  }

  snapshotState(): CommunityStateSnapshot {
    return {
      version: COMMUNITY_STATE_VERSION,
      community_id: this.communityId,
      created: this.isCreated,
      name: this.communityName,
      root_key: this.rootKey(),
      created_at: this.createdAt,
      lamport_at_creation: this.lamportAtCreation,
      head_lamport: this.head,
      policy: { ...this.currentPolicy },
      members: [...this.memberMap.values()].sort(byNodeId).map((m) => ({ ...m })),
      revoked: this.revoked().map((r) => ({ ...r })),
    };
  }

  /** Replaces the state with a snapshot; throws IdentityError('bad_manifest') and keeps the old state if it is malformed. */
  restoreState(state: Record<string, unknown>): void {
    const s = readSnapshot(state, this.communityId);
    this.reset();
    this.isCreated = s.created;
    this.communityName = s.name;
    this.createdAt = s.created_at;
    this.lamportAtCreation = s.lamport_at_creation;
    this.head = s.head_lamport;
    this.currentPolicy = s.policy;
    for (const m of s.members) this.memberMap.set(m.node_id, m);
    for (const r of s.revoked) this.revokedMap.set(r.node_id, r);
  }

  /** A CommunityManifest of the current state, signed by `signingKp` (must be the root key). */
  toManifest(signingKp: KeyPair, now: Date = this.now()): CommunityManifest {
    return regenerateCommunityManifestFromState(this.snapshotState(), signingKp, now);
  }
}

function byNodeId<T extends { node_id: string }>(a: T, b: T): number {
  return a.node_id < b.node_id ? -1 : a.node_id > b.node_id ? 1 : 0;
}

const snapshotFail: ShapeFail = (field, problem) => {
  throw new IdentityError('bad_manifest', `community state snapshot field "${field}" ${problem}`, {
    details: { field },
  });
};

const checkSnapshot: Check<Static<typeof CommunityStateSnapshotSchema>> = compileSchema(CommunityStateSnapshotSchema);

/** A snapshot of this community checked by its schema, copied field by field (extra fields dropped). */
function readSnapshot(v: unknown, communityId: CommunityId): CommunityStateSnapshot {
  const s = readWith(checkSnapshot, v, snapshotFail);
  if (s.community_id !== communityId) snapshotFail('community_id', `must be ${communityId}`);
  return {
    version: COMMUNITY_STATE_VERSION,
    community_id: communityId,
    created: s.created,
    name: s.name,
    root_key: communityId as string as NodeId,
    created_at: s.created_at,
    lamport_at_creation: s.lamport_at_creation,
    head_lamport: s.head_lamport,
    policy: { ...s.policy },
    members: s.members.map((m) => ({
      node_id: m.node_id,
      level: m.level,
      added_at: m.added_at,
      added_by: m.added_by,
      status: m.status,
      display_name: m.display_name,
      invite_expires_at: m.invite_expires_at,
    })),
    revoked: s.revoked.map((r) => ({ node_id: r.node_id, revoked_at: r.revoked_at })),
  };
}
