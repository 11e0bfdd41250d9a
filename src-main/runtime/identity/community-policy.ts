/** Community policy (§5 of ../shared/spec/hearthnet-reference.md CommunityPolicy): defaults, validation, effective thresholds. */
import type { CommunityPolicy } from './manifest-types';
import { Type } from '@sinclair/typebox';
import { compileSchema, parseWith, WholeNumber } from '../schema';
import type { ShapeFail } from './wire-read';
import { IdentityError } from './errors';

/** Lifetime of a capability token unless the community says otherwise (one day). */
export const DEFAULT_CAPABILITY_TOKEN_TTL_SECONDS = 86_400;
/** No policy asks for more co-signatures than this; keeps revocation events small. */
export const MAX_POLICY_SIGNATURES = 64;

/** The policy a new community starts with. */
export function defaultCommunityPolicy(): CommunityPolicy {
  return {
    min_signatures_to_invite: 1,
    min_signatures_to_demote: 2,
    min_signatures_to_revoke: 3,
    capability_token_ttl_seconds: DEFAULT_CAPABILITY_TOKEN_TTL_SECONDS,
    federation_enabled: false,
    default_member_can_invite: false,
  };
}

/**
 * The number of signatures actually required: the policy's figure capped at the number of
 * eligible (trusted/anchor) signers, and never below 1. A young community with only its root
 * can therefore still revoke a member instead of being locked by a threshold of 3.
 */
export function effectiveThreshold(required: number, eligibleSigners: number): number {
  return Math.max(1, Math.min(required, eligibleSigners));
}

const policyFail =
  (what: string): ShapeFail =>
  (field, problem) => {
    throw new IdentityError('bad_manifest', `${what} field "${field}" ${problem}`, { details: { field } });
  };

const Signatures = () => WholeNumber(1, MAX_POLICY_SIGNATURES);

/** A community policy on the wire: exactly these fields. */
export const CommunityPolicySchema = Type.Object(
  {
    min_signatures_to_invite: Signatures(),
    min_signatures_to_demote: Signatures(),
    min_signatures_to_revoke: Signatures(),
    capability_token_ttl_seconds: WholeNumber(1, Number.MAX_SAFE_INTEGER),
    federation_enabled: Type.Boolean(),
    default_member_can_invite: Type.Boolean(),
  },
  { additionalProperties: false },
);
const checkPolicy = compileSchema<CommunityPolicy>(CommunityPolicySchema);

/** Strictly reads a policy object (a clean copy); `path` prefixes field names in errors (e.g. `policy`). */
export function readPolicy(v: unknown, path = 'policy', what = 'community policy'): CommunityPolicy {
  const policy = parseWith(checkPolicy, v, (_message, field, why) =>
    policyFail(what)(field ? `${path}.${field}` : path, why),
  );
  return { ...policy };
}
