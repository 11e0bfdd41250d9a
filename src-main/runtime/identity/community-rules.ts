/**
 * The rules of community.* events: who may create, invite, join, promote, demote, revoke and
 * change policy. Pure: reads the current membership, returns the change to make or a refusal.
 */
import type { CommunityId, NodeId, TrustLevel, WallClock } from '../../common';
import type { Event } from '../events/types';
import { verifyCoSignature, type CoSignAction, type CoSignature } from './co-sign';
import { effectiveThreshold, readPolicy } from './community-policy';
import type { MemberRecord } from './community-types';
import type { CommunityPolicy } from './manifest-types';
import type { Static } from '@sinclair/typebox';
import { compileSchema, type Check } from '../schema';
import { COMMUNITY_RULE_DATA } from './community-schemas';
import { wallClockMs } from './wall-clock';
import { rootNodeOf } from './node-id';
import { readWith } from './wire-read';

/** Why the community state refuses an event; the event log maps these to EventLogError codes. */
export type RefusalCode = 'unknown_author' | 'revoked_author' | 'forbidden';
export type Verdict = { ok: true } | { ok: false; code: RefusalCode; reason: string };

export type Change =
  | { kind: 'none' }
  | { kind: 'create'; name: string; policy: CommunityPolicy }
  | { kind: 'invite'; invitee: NodeId; level: TrustLevel; expiresAt: WallClock }
  | { kind: 'join'; displayName: string }
  | { kind: 'level'; nodeId: NodeId; level: TrustLevel }
  | { kind: 'revoke'; nodeId: NodeId }
  | { kind: 'policy'; policy: CommunityPolicy };

/** What the rules need to know about the current state. */
export interface RuleState {
  readonly communityId: CommunityId;
  readonly created: boolean;
  policy(): CommunityPolicy;
  record(nodeId: NodeId): MemberRecord | undefined;
  isRevoked(nodeId: NodeId): boolean;
  records(): Iterable<MemberRecord>;
}

/** Thrown inside this module only; `checkEvent` turns it into a Verdict. */
export class Refusal extends Error {
  constructor(
    readonly code: RefusalCode,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'Refusal';
  }
}

function forbid(reason: string): never {
  throw new Refusal('forbidden', reason);
}

const RANK: Readonly<Record<TrustLevel, number>> = { unknown: 0, member: 1, trusted: 2, anchor: 3 };
const SIGNER_LEVELS: readonly TrustLevel[] = ['trusted', 'anchor'];

/** A member at `ms` (an invitee counts from its invite until the invite expires or it joins). */
export function isMemberAt(rec: MemberRecord | undefined, ms: number): boolean {
  if (!rec) return false;
  return rec.status === 'joined' || rec.invite_expires_at === null || ms < wallClockMs(rec.invite_expires_at);
}

type RuleEventType = keyof typeof COMMUNITY_RULE_DATA;
type RuleData<T extends RuleEventType> = Static<(typeof COMMUNITY_RULE_DATA)[T]>;
const RULE_DATA_CHECKS = Object.fromEntries(
  Object.entries(COMMUNITY_RULE_DATA).map(([type, schema]) => [type, compileSchema(schema)]),
) as { [T in RuleEventType]: Check<RuleData<T>> };

/** The event's `data` checked by its type's schema; a bad one is refused naming the field (`data.level`). */
function dataOf<T extends RuleEventType>(event: Event, type: T): RuleData<T> {
  return readWith(
    RULE_DATA_CHECKS[type],
    event.data,
    (field, problem) => forbid(`${event.event_type} data field "${field}" ${problem}`),
    'data',
  );
}

function eligibleSigners(s: RuleState, ms: number, exclude?: NodeId): Set<NodeId> {
  const out = new Set<NodeId>();
  for (const r of s.records())
    if (SIGNER_LEVELS.includes(r.level) && isMemberAt(r, ms) && r.node_id !== exclude) out.add(r.node_id);
  return out;
}

/** Distinct eligible signers with a valid co-signature; refuses when fewer than `required`. */
function requireSignatures(
  signatures: readonly unknown[] | undefined,
  s: RuleState,
  ms: number,
  action: CoSignAction,
  nodeId: NodeId,
  details: Record<string, unknown>,
  required: number,
  opts: { exclude?: NodeId; alsoCounts?: NodeId; what: string },
): Set<NodeId> {
  const eligible = eligibleSigners(s, ms, opts.exclude);
  const need = effectiveThreshold(required, eligible.size);
  const valid = new Set<NodeId>(opts.alsoCounts ? [opts.alsoCounts] : []);
  const ignored: string[] = [];
  for (const raw of signatures ?? []) {
    const sig = raw as Partial<CoSignature> | null | undefined;
    const signer = typeof sig?.signer === 'string' ? sig.signer : null;
    if (signer === null) ignored.push('? (not a trusted or anchor member)');
    else if (valid.has(signer)) ignored.push(`${signer} (duplicate)`);
    else if (!eligible.has(signer)) ignored.push(`${signer} (not a trusted or anchor member)`);
    else if (!verifyCoSignature(raw as CoSignature, s.communityId, action, nodeId, details))
      ignored.push(`${signer} (bad signature)`);
    else valid.add(signer);
  }
  if (valid.size < need) {
    forbid(
      `${opts.what} needs ${need} distinct trusted/anchor signature(s) (policy ${required}, ${eligible.size} eligible), got ${valid.size}` +
        (ignored.length ? `; ignored: ${ignored.join(', ')}` : ''),
    );
  }
  return valid;
}

function ruleCreated(event: Event, s: RuleState): Change {
  if (s.created) forbid('the community already has a community.created event');
  if (event.author !== rootNodeOf(s.communityId))
    forbid('community.created must be authored by the community root key');
  const d = dataOf(event, 'community.created');
  if (d.root !== rootNodeOf(s.communityId)) forbid('community.created data.root must equal the community id');
  const policy = (() => {
    try {
      return readPolicy(d.policy, 'data.policy');
    } catch (err) {
      return forbid((err as Error).message);
    }
  })();
  return { kind: 'create', name: d.name, policy };
}

function ruleInvited(event: Event, s: RuleState, ms: number): Change {
  const d = dataOf(event, 'community.member.invited');
  const { invitee, level, expires_at: expiresAt } = d;
  if (d.inviter !== event.author) forbid('data.inviter must be the event author');
  const author = s.record(event.author);
  if (!author) forbid(`${event.author} is not a member of this community`);
  const mayInvite =
    SIGNER_LEVELS.includes(author.level) || (author.level === 'member' && s.policy().default_member_can_invite);
  if (!mayInvite) forbid(`a ${author.level} may not invite (policy.default_member_can_invite is false)`);
  if (RANK[level] > RANK[author.level]) forbid(`a ${author.level} cannot invite at level ${level}`);
  if (s.isRevoked(invitee)) forbid(`${invitee} was revoked and cannot be invited again`);
  if (s.record(invitee)?.status === 'joined') forbid(`${invitee} is already a member`);
  if (wallClockMs(expiresAt) <= ms) forbid('data.expires_at must be after the event wall_clock');
  requireSignatures(
    d.signatures,
    s,
    ms,
    'invite',
    invitee,
    { level, expires_at: expiresAt },
    s.policy().min_signatures_to_invite,
    { alsoCounts: event.author, what: 'an invite' },
  );
  return { kind: 'invite', invitee, level, expiresAt };
}

function ruleJoined(event: Event, s: RuleState): Change {
  const d = dataOf(event, 'community.member.joined');
  if (d.node_id !== event.author)
    forbid('community.member.joined must be authored by the invitee itself (data.node_id)');
  if (s.record(event.author)?.status !== 'invited') forbid(`${event.author} has no open invite (already joined?)`);
  return { kind: 'join', displayName: d.display_name };
}

function ruleLevel(event: Event, s: RuleState, ms: number, action: 'promote' | 'demote'): Change {
  const d = dataOf(event, action === 'promote' ? 'community.member.promoted' : 'community.member.demoted');
  const { node_id: nodeId, level } = d;
  const target = s.record(nodeId);
  if (!target || !isMemberAt(target, ms)) forbid(`${nodeId} is not a member`);
  if (action === 'promote' && RANK[level] <= RANK[target.level])
    forbid(`promotion must raise the level (now ${target.level})`);
  if (action === 'demote' && RANK[level] >= RANK[target.level])
    forbid(`demotion must lower the level (now ${target.level})`);
  if (action === 'demote' && nodeId === rootNodeOf(s.communityId)) forbid('the community root cannot be demoted');
  const required = action === 'promote' ? 1 : s.policy().min_signatures_to_demote;
  const signers = requireSignatures(d.signatures, s, ms, action, nodeId, { level }, required, {
    exclude: nodeId,
    what: `a ${action === 'promote' ? 'promotion' : 'demotion'}`,
  });
  if (action === 'promote' && level === 'anchor' && ![...signers].some((id) => s.record(id)?.level === 'anchor'))
    forbid('promotion to anchor needs an anchor signature');
  return { kind: 'level', nodeId, level };
}

function ruleRevoked(event: Event, s: RuleState, ms: number): Change {
  const d = dataOf(event, 'community.member.revoked');
  const { node_id: nodeId, reason } = d;
  if (nodeId === rootNodeOf(s.communityId)) forbid('the community root cannot be revoked');
  if (s.isRevoked(nodeId)) forbid(`${nodeId} is already revoked`);
  requireSignatures(d.signatures, s, ms, 'revoke', nodeId, { reason }, s.policy().min_signatures_to_revoke, {
    exclude: nodeId,
    what: 'a revocation',
  });
  return { kind: 'revoke', nodeId };
}

function rulePolicy(event: Event, s: RuleState): Change {
  if (event.author !== rootNodeOf(s.communityId)) forbid('only the community root may update the policy');
  try {
    return { kind: 'policy', policy: readPolicy(dataOf(event, 'community.policy.updated').policy, 'data.policy') };
  } catch (err) {
    if (err instanceof Refusal) throw err;
    return forbid((err as Error).message);
  }
}

/** Judges one event against the state; returns the change it makes. Throws only Refusal. */
export function judge(event: Event, s: RuleState): Change {
  if (event.community_id !== s.communityId)
    forbid(`event belongs to community ${event.community_id}, not ${s.communityId}`);
  if (s.isRevoked(event.author)) throw new Refusal('revoked_author', `${event.author} was revoked from this community`);
  const ms = wallClockMs(event.wall_clock);
  if (Number.isNaN(ms)) forbid('event wall_clock is not a UTC time');
  if (event.event_type === 'community.created') return ruleCreated(event, s);
  const isCommunityEvent = event.event_type.startsWith('community.');
  if (!s.created && isCommunityEvent) forbid('community.created must come before other community events');
  if (event.author !== rootNodeOf(s.communityId) && !isMemberAt(s.record(event.author), ms))
    throw new Refusal('unknown_author', `${event.author} is not a member of this community`);
  switch (event.event_type) {
    case 'community.member.invited':
      return ruleInvited(event, s, ms);
    case 'community.member.joined':
      return ruleJoined(event, s);
    case 'community.member.promoted':
      return ruleLevel(event, s, ms, 'promote');
    case 'community.member.demoted':
      return ruleLevel(event, s, ms, 'demote');
    case 'community.member.revoked':
      return ruleRevoked(event, s, ms);
    case 'community.policy.updated':
      return rulePolicy(event, s);
    // Not governance: the rules only check who may write them (above).
    case 'node.manifest.updated':
    case 'market.post.created':
    case 'market.post.updated':
    case 'market.post.expired':
    case 'chat.message.sent':
    case 'chat.message.delivered':
    case 'chat.message.read':
    case 'file.cid.advertised':
    case 'file.cid.unpinned':
    case 'rag.document.ingested':
    case 'federation.peer.added':
    case 'federation.peer.removed':
      return { kind: 'none' };
  }
}
