/** Community policy (§5 of ../shared/spec/hearthnet-reference.md CommunityPolicy): defaults, validation, effective thresholds. */
import type { CommunityPolicy } from './manifest-types';
import { ShapeReader, type ShapeFail } from './shape';
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

/** Strictly reads a policy object; `path` prefixes field names in errors (e.g. `policy`). */
export function readPolicy(v: unknown, path = 'policy', what = 'community policy'): CommunityPolicy {
  const r = ShapeReader.of(v, policyFail(what), path);
  r.onlyKeys([
    'min_signatures_to_invite',
    'min_signatures_to_demote',
    'min_signatures_to_revoke',
    'capability_token_ttl_seconds',
    'federation_enabled',
    'default_member_can_invite',
  ]);
  return {
    min_signatures_to_invite: r.int('min_signatures_to_invite', 1, MAX_POLICY_SIGNATURES),
    min_signatures_to_demote: r.int('min_signatures_to_demote', 1, MAX_POLICY_SIGNATURES),
    min_signatures_to_revoke: r.int('min_signatures_to_revoke', 1, MAX_POLICY_SIGNATURES),
    capability_token_ttl_seconds: r.int('capability_token_ttl_seconds', 1),
    federation_enabled: r.bool('federation_enabled'),
    default_member_can_invite: r.bool('default_member_can_invite'),
  };
}
