/**
 * TypeBox schemas of the community's signed objects and their local forms (docs/protocol/identity.md):
 * the community manifest, a capability token, the membership state snapshot, and the `data` of
 * the community.* events the rules judge. Checked by the runtime's one schema library; a refusal
 * names the field (`members[0].level: must be one of member, trusted, anchor`).
 */
import { Type, type TSchema } from '@sinclair/typebox';
import type { CommunityId, NodeId, TrustLevel, WallClock } from '../../common';
import { Nullable, OneOf, WholeNumber } from '../schema';
import { CommunityPolicySchema } from './community-policy';
import { FullNodeIdSchema, MAX_NAME_LENGTH, SignatureSchema, WallClockSchema } from './wire-schemas';

export const COMMUNITY_MANIFEST_VERSION = 1;
export const MEMBER_LEVELS = ['member', 'trusted', 'anchor'] as const satisfies readonly TrustLevel[];
/** Co-signatures one governance event may carry; each is verified, so the list stays short. */
export const MAX_CO_SIGNATURES = 256;

const Exact = { additionalProperties: false } as const;
const Open = { additionalProperties: true } as const;
const Count = () => WholeNumber(0, Number.MAX_SAFE_INTEGER);
/** A full node id, typed as the brand the field holds (a community is named by its root's id). */
const Id = () => Type.Unsafe<NodeId>(FullNodeIdSchema);
const CommunityIdField = () => Type.Unsafe<CommunityId>(FullNodeIdSchema);
const Clock = () => Type.Unsafe<WallClock>(WallClockSchema);
const Level = () => OneOf(MEMBER_LEVELS);
const Name = () => Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH });
const Version = (v: number) => Type.Integer({ const: v, expected: `${v}; this node may need an update` });

export const CommunityMemberSchema = Type.Object(
  { node_id: Id(), level: Level(), added_at: Clock(), added_by: Id() },
  Exact,
);
export const RevokedEntrySchema = Type.Object({ node_id: Id(), revoked_at: Clock() }, Exact);

export const CommunityManifestSchema = Type.Object(
  {
    version: Version(COMMUNITY_MANIFEST_VERSION),
    community_id: CommunityIdField(),
    name: Name(),
    root_key: Id(),
    created_at: Clock(),
    lamport_at_creation: Count(),
    policy: CommunityPolicySchema,
    members: Type.Array(CommunityMemberSchema),
    revoked: Type.Array(RevokedEntrySchema),
    head_lamport: Count(),
    signature: SignatureSchema,
  },
  Exact,
);

export const CapabilityTokenSchema = Type.Object(
  {
    issuer: Id(),
    subject: Id(),
    capability: Type.String({ minLength: 1, maxLength: 256 }),
    issued_at: Clock(),
    expires_at: Clock(),
    nonce: Type.String({ minLength: 1, maxLength: 64 }),
    signature: SignatureSchema,
  },
  Exact,
);

/** Stored locally, never signed: fields it does not name are ignored (the reader copies only these). */
export const CommunityStateSnapshotSchema = Type.Object(
  {
    version: Type.Integer({ const: 1, expected: '1' }),
    community_id: CommunityIdField(),
    created: Type.Boolean(),
    name: Type.String(),
    created_at: Nullable(Clock()),
    lamport_at_creation: Count(),
    head_lamport: Count(),
    policy: CommunityPolicySchema,
    members: Type.Array(
      Type.Object(
        {
          node_id: Id(),
          level: Level(),
          added_at: Clock(),
          added_by: Id(),
          status: OneOf(['invited', 'joined'] as const),
          display_name: Nullable(Type.String()),
          invite_expires_at: Nullable(Clock()),
        },
        Open,
      ),
    ),
    revoked: Type.Array(Type.Object({ node_id: Id(), revoked_at: Clock() }, Open)),
  },
  Open,
);

const CoSignatures = () => Type.Array(Type.Unknown(), { maxItems: MAX_CO_SIGNATURES });
/** A policy the rules read themselves (its errors are prefixed `data.policy`). */
const AnyPolicy = () => Type.Unknown();

/**
 * The `data` of each governance event, as the community rules require it (extra fields allowed:
 * the rules read only these). Co-signatures are verified one by one by the rules.
 */
export const COMMUNITY_RULE_DATA = {
  'community.created': Type.Object({ root: Id(), name: Name(), policy: AnyPolicy() }, Open),
  'community.member.invited': Type.Object(
    {
      invitee: Id(),
      level: Level(),
      expires_at: Clock(),
      inviter: Id(),
      signatures: Type.Optional(CoSignatures()),
    },
    Open,
  ),
  'community.member.joined': Type.Object(
    { node_id: Id(), display_name: Type.String({ maxLength: MAX_NAME_LENGTH }) },
    Open,
  ),
  'community.member.promoted': Type.Object({ node_id: Id(), level: Level(), signatures: CoSignatures() }, Open),
  'community.member.demoted': Type.Object({ node_id: Id(), level: Level(), signatures: CoSignatures() }, Open),
  'community.member.revoked': Type.Object(
    { node_id: Id(), reason: Type.String({ maxLength: 1000 }), signatures: CoSignatures() },
    Open,
  ),
  'community.policy.updated': Type.Object({ policy: AnyPolicy() }, Open),
} satisfies Record<string, TSchema>;
