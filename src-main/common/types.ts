/** §0.1 of ../shared/spec/hearthnet-reference.md: branded identifiers and literal unions shared by every layer (renderer included). */

declare const brand: unique symbol;
/** A string that the type system keeps apart from other strings of another meaning. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** `ed25519:XXXX-XXXX-XXXX-XXXX` (short) or `ed25519:<base64url public key>` (full). */
export type NodeId = Brand<string, 'NodeId'>;
/** The full node id of the community's root key. */
export type CommunityId = Brand<string, 'CommunityId'>;
/** e.g. `llm.chat` */
export type CapabilityName = Brand<string, 'CapabilityName'>;
/** `[major, minor]` */
export type Version = readonly [number, number];
export type Lamport = number;
/** `blake3:<hex>` */
export type Cid = Brand<string, 'Cid'>;
/** ULID */
export type EventId = Brand<string, 'EventId'>;
/** ULID */
export type TraceId = Brand<string, 'TraceId'>;
/** `blake3:<hex>` */
export type SchemaHash = Brand<string, 'SchemaHash'>;
/** `2026-05-26T08:14:22Z` (UTC, second precision) */
export type WallClock = Brand<string, 'WallClock'>;
/** `ed25519:<base64url signature>` */
export type Signature = Brand<string, 'Signature'>;
/** e.g. `marketplace.post.created` */
export type Topic = Brand<string, 'Topic'>;

export const TRUST_LEVELS = ['unknown', 'member', 'trusted', 'anchor'] as const;
export type TrustLevel = (typeof TRUST_LEVELS)[number];

export const PROFILES = ['anchor', 'hearth', 'spark', 'bridge'] as const;
export type Profile = (typeof PROFILES)[number];

export const STABILITIES = ['experimental', 'beta', 'stable'] as const;
export type Stability = (typeof STABILITIES)[number];

export const MODES = ['online', 'degraded', 'offline'] as const;
export type Mode = (typeof MODES)[number];

/** Why a neighbour refuses this node's calls and syncs (read from its 403; shown by `status`). */
export type PeerRefusal = 'revoked' | 'not_member';

export const CATEGORIES = ['offer', 'request', 'info', 'emergency'] as const;
export type Category = (typeof CATEGORIES)[number];

/** §3.1: exactly these 19 event types. */
export const EVENT_TYPES = [
  'community.created',
  'community.member.invited',
  'community.member.joined',
  'community.member.revoked',
  'community.member.promoted',
  'community.member.demoted',
  'community.policy.updated',
  'node.manifest.updated',
  'market.post.created',
  'market.post.updated',
  'market.post.expired',
  'chat.message.sent',
  'chat.message.delivered',
  'chat.message.read',
  'file.cid.advertised',
  'file.cid.unpinned',
  'rag.document.ingested',
  'federation.peer.added',
  'federation.peer.removed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Run-time check for a literal union built from one of the const arrays above. */
export function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}

/** Format a Date as the reference's WallClock: UTC, second precision, `Z` suffix. */
export function toWallClock(date: Date = new Date()): WallClock {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z') as WallClock;
}

/** `"1.0"` -> `[1, 0]`; throws on anything else. */
export function parseVersion(text: string): Version {
  const m = /^(\d+)\.(\d+)$/.exec(text);
  if (!m) throw new TypeError(`bad version "${text}": expected MAJOR.MINOR`);
  return [Number(m[1]), Number(m[2])];
}

export function versionString(v: Version): string {
  return `${v[0]}.${v[1]}`;
}
