/**
 * M13 invites (§16 of ../shared/spec/hearthnet-reference.md): a signed InviteBlob, carried as `hearthnet://v1/<base64url>` text,
 * a QR code, or a file. Signed by the inviter; the community log decides whether the inviter may.
 */
import { Type } from '@sinclair/typebox';
import QRCode from 'qrcode';
import { canonicalJson, type CommunityId, type NodeId, type TrustLevel, type WallClock } from '../../common';
import {
  isFullNodeId,
  MAX_NAME_LENGTH,
  MEMBER_LEVELS,
  EndpointSchema,
  FullNodeIdSchema,
  WallClockSchema,
  signPayload,
  verifyPayload,
  wallClockAfter,
  wallClockMs,
  type Endpoint,
  type KeyPair,
  type ShapeFail,
} from '../identity';
import { compileSchema, OneOf, parseWith } from '../schema';
import { OnboardingError } from './errors';

export const INVITE_SCHEMA_VERSION = 1;
export const INVITE_SCHEME = 'hearthnet://';
export const INVITE_PREFIX = `${INVITE_SCHEME}v1/`;
/** Invites last a day unless the inviter says otherwise. */
export const DEFAULT_INVITE_TTL_SECONDS = 86_400;
/** More endpoints than this would not fit in a scannable QR code. */
export const MAX_BOOTSTRAP_ENDPOINTS = 8;
/** QR module size in pixels. */
export const DEFAULT_QR_BOX_SIZE = 8;

export interface InviteBlob {
  readonly schema_version: number;
  readonly community_id: CommunityId;
  readonly community_name: string;
  readonly inviter_node_id: NodeId;
  readonly invitee_node_id: NodeId;
  readonly initial_level: TrustLevel;
  readonly bootstrap_endpoints: readonly Endpoint[];
  readonly expires_at: WallClock;
  readonly signature: string;
}

export interface MakeInviteOptions {
  /** Full node id of the person being invited (they read it off their welcome screen). */
  invitee: string;
  inviterKp: KeyPair;
  community: { community_id: string; name: string };
  /** Where the invitee can reach a member first (this node's LAN address, usually). */
  bootstrapEndpoints: readonly Endpoint[];
  initialLevel?: 'member' | 'trusted' | 'anchor';
  ttlSeconds?: number;
  now?: Date;
}

function invalid(message: string, cause?: unknown): never {
  throw new OnboardingError('invite_invalid', message, cause === undefined ? {} : { cause });
}
const shapeFail: ShapeFail = (field, problem) => invalid(`invite field "${field}" ${problem}`);

/** The edge where a person names the household to invite: its full node id, or OnboardingError('invite_invalid'). */
export function toInviteeId(text: string): NodeId {
  if (!isFullNodeId(text))
    invalid(
      `"${text}" is not a full node id; ask the invitee for the long ed25519:... id shown on their welcome screen`,
    );
  return text;
}

/** Creates a signed invite for one node. Throws OnboardingError('invite_invalid') on bad input. */
export function makeInvite(o: MakeInviteOptions): InviteBlob {
  const invitee = toInviteeId(o.invitee);
  const ttl = o.ttlSeconds ?? DEFAULT_INVITE_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl <= 0)
    invalid(`invite lifetime must be a positive whole number of seconds, got ${ttl}`);
  const body = {
    schema_version: INVITE_SCHEMA_VERSION,
    community_id: o.community.community_id,
    community_name: o.community.name,
    inviter_node_id: o.inviterKp.nodeIdFull,
    invitee_node_id: invitee,
    initial_level: o.initialLevel ?? 'member',
    bootstrap_endpoints: o.bootstrapEndpoints.map((e) => ({ transport: e.transport, host: e.host, port: e.port })),
    expires_at: wallClockAfter(o.now ?? new Date(), ttl),
  };
  return readInvite(signPayload(body, o.inviterKp));
}

/** The signed invite (docs/protocol/onboarding.md), as a schema: exactly these fields. */
const InviteBlobSchema = Type.Object(
  {
    schema_version: Type.Integer({ const: INVITE_SCHEMA_VERSION }),
    community_id: FullNodeIdSchema,
    community_name: Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH }),
    inviter_node_id: FullNodeIdSchema,
    invitee_node_id: FullNodeIdSchema,
    initial_level: OneOf(MEMBER_LEVELS),
    bootstrap_endpoints: Type.Array(EndpointSchema, { maxItems: MAX_BOOTSTRAP_ENDPOINTS }),
    expires_at: WallClockSchema,
    signature: Type.String({ pattern: '^ed25519:', description: 'must be an ed25519:<base64url> signature' }),
  },
  { additionalProperties: false },
);
const checkInvite = compileSchema<InviteBlob>(InviteBlobSchema);

function readInvite(v: unknown): InviteBlob {
  // A newer invite may change its fields: say "update HearthNet" before judging them.
  const version: unknown = v !== null && typeof v === 'object' ? (v as Record<string, unknown>).schema_version : null;
  if (typeof version === 'number' && version !== INVITE_SCHEMA_VERSION)
    invalid(`invite schema_version ${version} is not supported (expected ${INVITE_SCHEMA_VERSION}); update HearthNet`);
  const blob = parseWith(checkInvite, v, (_message, field, why) => shapeFail(field || '$', why));
  if (Number.isNaN(wallClockMs(blob.expires_at)))
    shapeFail('expires_at', 'must be a UTC time like 2026-05-26T08:14:22Z');
  return structuredClone(blob);
}

/** `hearthnet://v1/` + base64url(canonicalJson(blob)). */
export function encodeInvite(blob: InviteBlob): string {
  return INVITE_PREFIX + Buffer.from(canonicalJson(blob), 'utf8').toString('base64url');
}

/** The JSON object inside invite text: a `hearthnet://v1/...` link anywhere in it, or a bare JSON blob. */
function payloadOf(text: string): unknown {
  const at = text.toLowerCase().indexOf(INVITE_SCHEME);
  const trimmed = text.trim();
  if (at < 0) {
    if (!trimmed.startsWith('{'))
      invalid('this is not a HearthNet invite: expected text starting with hearthnet://v1/');
    try {
      return JSON.parse(trimmed);
    } catch (err) {
      return invalid(`the invite file is not valid JSON (${(err as Error).message})`, err);
    }
  }
  // The link ends at the first blank or quote (it may sit inside a sentence, an <a> tag or JSON).
  const rest = text.slice(at + INVITE_SCHEME.length).split(/[\s"'<>]/)[0];
  const m = /^v(\d+)\/(.*)$/.exec(rest);
  if (!m) invalid('the invite link is damaged: expected hearthnet://v1/<code>');
  if (m[1] !== '1')
    invalid(`invite version v${m[1]} is not supported by this HearthNet (it reads v1); update HearthNet`);
  if (!/^[A-Za-z0-9_-]+$/.test(m[2]))
    invalid('the invite code is damaged: it is not base64url text (was it cut short or retyped?)');
  let json: string;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(m[2], 'base64url'));
  } catch (err) {
    return invalid('the invite code is damaged: it does not decode to text', err);
  }
  try {
    return JSON.parse(json);
  } catch (err) {
    return invalid(`the invite code is damaged: its contents are not JSON (${(err as Error).message})`, err);
  }
}

export interface DecodeInviteOptions {
  now?: Date;
  /** Our full node id: when given, an invite made out to another node is refused. */
  ourNodeId?: string;
}

/**
 * Reads an invite from a link, pasted text or a file's contents; checks shape, signature,
 * expiry and invitee. Throws OnboardingError 'invite_invalid' | 'invite_expired' | 'invitee_mismatch'.
 */
export function decodeInvite(text: string, opts: DecodeInviteOptions = {}): InviteBlob {
  if (typeof text !== 'string') invalid('an invite must be text');
  const blob = readInvite(payloadOf(text));
  if (!verifyPayload(blob, blob.inviter_node_id)) {
    invalid('the invite signature does not match its inviter: it was altered or not made by that node');
  }
  if ((opts.now ?? new Date()).getTime() >= wallClockMs(blob.expires_at)) {
    throw new OnboardingError(
      'invite_expired',
      `this invite to "${blob.community_name}" expired at ${blob.expires_at}; ask for a new one`,
      { details: { expires_at: blob.expires_at } },
    );
  }
  if (opts.ourNodeId !== undefined && opts.ourNodeId !== blob.invitee_node_id) {
    throw new OnboardingError(
      'invitee_mismatch',
      `this invite to "${blob.community_name}" was made for another device (${blob.invitee_node_id}); ask for an invite for this one`,
      {
        details: { invitee_node_id: blob.invitee_node_id },
      },
    );
  }
  return blob;
}

/** The invite link as a PNG QR code (error correction M, `boxSize` pixels per module). */
export async function inviteToQrPng(blob: InviteBlob, opts: { boxSize?: number } = {}): Promise<Buffer> {
  try {
    return await QRCode.toBuffer(encodeInvite(blob), {
      type: 'png',
      scale: opts.boxSize ?? DEFAULT_QR_BOX_SIZE,
      errorCorrectionLevel: 'M',
    });
  } catch (err) {
    return invalid(
      `the invite does not fit in a QR code (${(err as Error).message}); use fewer bootstrap endpoints or share the link as text`,
      err,
    );
  }
}

/** Any short text (a join code, a pairing link) as a PNG QR code, error correction M. */
export async function textToQrPng(text: string, opts: { boxSize?: number } = {}): Promise<Buffer> {
  return QRCode.toBuffer(text, {
    type: 'png',
    scale: opts.boxSize ?? DEFAULT_QR_BOX_SIZE,
    errorCorrectionLevel: 'M',
    margin: 4,
  });
}

/** `data` of the `community.member.invited` event the inviter appends for this invite. */
export function inviteEventData(blob: InviteBlob): Record<string, unknown> {
  return {
    invitee: blob.invitee_node_id,
    level: blob.initial_level,
    expires_at: blob.expires_at,
    inviter: blob.inviter_node_id,
  };
}
