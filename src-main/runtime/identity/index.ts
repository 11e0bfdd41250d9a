/** M01 identity: keys, node ids, signed payloads, manifests, community membership, tokens. */
export { IDENTITY_ERROR_CODES, IdentityError, type IdentityErrorCode } from './errors';
export * from './node-id';
export * from './keys';
export * from './key-store';
export * from './signing';
export * from './signing-lane';
export type * from './manifest-types';
export * from './node-manifest';
export { detectHardware, type DetectHardwareOptions } from './hardware';
export * from './community-policy';
export * from './community-manifest';
export type * from './community-types';
export { COMMUNITY_STATE_VERSION } from './community-types';
export * from './co-sign';
export type { RefusalCode, Verdict } from './community-rules';
export { CommunityStateView, type CommunityStateViewOptions } from './community-state';
export * from './tokens';
export { isWallClock, wallClockAfter, wallClockMs } from './wall-clock';
export { jsonInput, readWith, type ShapeFail } from './wire-read';
export { EndpointSchema, FullNodeIdSchema, MAX_NAME_LENGTH, SignatureSchema, WallClockSchema } from './wire-schemas';
export {
  CapabilityTokenSchema,
  COMMUNITY_RULE_DATA,
  CommunityManifestSchema,
  CommunityMemberSchema,
  CommunityStateSnapshotSchema,
  MAX_CO_SIGNATURES,
  RevokedEntrySchema,
} from './community-schemas';
