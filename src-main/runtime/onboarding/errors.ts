/** M13 onboarding errors: invites and join codes (local UI, and the join-code exchange). */
import { defineDomainError } from '../../common';

/**
 * The reference's seven codes, then the join-code exchange's (docs/protocol/join-code.md):
 * `join_code_invalid` (not a join code / damaged text), `join_code_expired`, `join_code_used`
 * (single use: someone already joined with it), `join_code_unknown` (the inviter's node does not
 * know it: changed, cancelled, or the inviter restarted).
 */
export const ONBOARDING_ERROR_CODES = [
  'invite_invalid',
  'invite_expired',
  'invitee_mismatch',
  'bootstrap_unreachable',
  'community_manifest_invalid',
  'sync_failed',
  'already_member',
  'join_code_invalid',
  'join_code_expired',
  'join_code_used',
  'join_code_unknown',
] as const;
export type OnboardingErrorCode = (typeof ONBOARDING_ERROR_CODES)[number];
export const OnboardingError = defineDomainError<OnboardingErrorCode>('OnboardingError', ONBOARDING_ERROR_CODES, {
  invite_invalid: 'bad_request',
  invite_expired: 'expired',
  invitee_mismatch: 'forbidden',
  join_code_invalid: 'bad_request',
  join_code_expired: 'expired',
  join_code_used: 'forbidden',
  join_code_unknown: 'forbidden',
  already_member: 'bad_request',
  bootstrap_unreachable: 'timeout',
});
export type OnboardingError = InstanceType<typeof OnboardingError>;
