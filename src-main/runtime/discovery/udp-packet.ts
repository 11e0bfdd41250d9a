/** M02 §3.4 of ../shared/spec/hearthnet-reference.md wire format: the signed UDP multicast announcement (build, size-cap, parse and verify). */
import type { Profile } from '../../common';
import { isOneOf, PROFILES } from '../../common';
import { isFullNodeId, signPayload, verifyPayload, type KeyPair } from '../identity';

/** What a node multicasts. Signed with `signPayload` over canonicalJson of all other fields. */
export interface UdpAnnouncement {
  readonly v: 1;
  /** Full node id of the sender; its key verifies `signature`. */
  readonly node_id: string;
  readonly community_id: string;
  readonly display_name: string;
  readonly profile: Profile;
  /** TCP port of the node's HTTP(S) server. */
  readonly port: number;
  /** Advisory: the address the sender believes it has. Receivers use the packet's source address. */
  readonly host?: string;
  /** Capability names (e.g. `llm.chat`); truncated to fit UDP_PACKET_MAX_BYTES. */
  readonly capabilities: readonly string[];
  /** Unix time in seconds when the packet was built. */
  readonly ts: number;
  /** Per-process counter, +1 per packet; with `ts` it orders packets from one sender. */
  readonly seq: number;
  readonly signature: string;
}

/** Keep every announcement in one unfragmented datagram on any sane link (IPv6 minimum MTU 1280). */
export const UDP_PACKET_MAX_BYTES = 1200;
/** Packets older (or further in the future) than this are ignored: a replay window of two minutes. */
export const UDP_MAX_SKEW_SECONDS = 120;
export const DISPLAY_NAME_MAX_CHARS = 64;

export interface AnnouncementInput {
  node_id: string;
  community_id: string;
  display_name: string;
  profile: Profile;
  port: number;
  host?: string;
  capabilities: readonly string[];
  ts: number;
  seq: number;
}

/**
 * Sign and encode an announcement. If it would exceed UDP_PACKET_MAX_BYTES, capability names are
 * dropped from the end until it fits (the full list is always in the manifest).
 */
export function encodeAnnouncement(
  input: AnnouncementInput,
  kp: KeyPair,
): { bytes: Buffer; packet: UdpAnnouncement; truncated: number } {
  const base = {
    v: 1 as const,
    node_id: input.node_id,
    community_id: input.community_id,
    // eslint-disable-next-line @typescript-eslint/no-misused-spread -- cut by code points, as the wire limit counts them
    display_name: [...input.display_name].slice(0, DISPLAY_NAME_MAX_CHARS).join(''),
    profile: input.profile,
    port: input.port,
    ...(input.host ? { host: input.host } : {}),
    ts: input.ts,
    seq: input.seq,
  };
  let caps = [...input.capabilities];
  for (;;) {
    const packet: UdpAnnouncement = signPayload({ ...base, capabilities: caps }, kp);
    const bytes = Buffer.from(JSON.stringify(packet), 'utf8');
    if (bytes.length <= UDP_PACKET_MAX_BYTES || caps.length === 0) {
      return { bytes, packet, truncated: input.capabilities.length - caps.length };
    }
    caps = caps.slice(0, Math.max(0, caps.length - Math.ceil((bytes.length - UDP_PACKET_MAX_BYTES) / 8)));
  }
}

/** Why a received datagram was not turned into a sighting (counted by UdpListener). */
export type DropReason =
  'malformed' | 'oversize' | 'bad_signature' | 'foreign_community' | 'own' | 'stale' | 'replayed';

export type ParseResult = { ok: true; packet: UdpAnnouncement } | { ok: false; reason: DropReason };

/**
 * Decode and check one datagram: shape, size, our community, not ourselves, fresh, signed by `node_id`.
 * Cheap checks run first so garbage never costs a signature verification.
 */
export function parseAnnouncement(
  bytes: Uint8Array,
  ctx: { communityId: string; ourNodeIdFull: string; nowSeconds: number },
): ParseResult {
  if (bytes.length > UDP_PACKET_MAX_BYTES) return { ok: false, reason: 'oversize' };
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!isAnnouncementShape(value)) return { ok: false, reason: 'malformed' };
  if (value.node_id === ctx.ourNodeIdFull) return { ok: false, reason: 'own' };
  if (value.community_id !== ctx.communityId) return { ok: false, reason: 'foreign_community' };
  if (Math.abs(ctx.nowSeconds - value.ts) > UDP_MAX_SKEW_SECONDS) return { ok: false, reason: 'stale' };
  if (!verifyPayload(value, value.node_id)) return { ok: false, reason: 'bad_signature' };
  return { ok: true, packet: value };
}

function isAnnouncementShape(v: unknown): v is UdpAnnouncement {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const p = v as Record<string, unknown>;
  return (
    p.v === 1 &&
    isFullNodeId(p.node_id) &&
    typeof p.community_id === 'string' &&
    typeof p.display_name === 'string' &&
    isOneOf(PROFILES, p.profile) &&
    Number.isInteger(p.port) &&
    (p.port as number) > 0 &&
    (p.port as number) < 65536 &&
    (p.host === undefined || typeof p.host === 'string') &&
    Array.isArray(p.capabilities) &&
    p.capabilities.every((c) => typeof c === 'string') &&
    Number.isInteger(p.ts) &&
    Number.isInteger(p.seq) &&
    (p.seq as number) >= 0 &&
    typeof p.signature === 'string'
  );
}
