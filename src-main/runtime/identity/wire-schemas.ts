/**
 * TypeBox schemas of the signed identity wire objects (docs/protocol/identity.md): what a peer's
 * node manifest must hold, field by field. Checked by the runtime's one schema library; a
 * refusal names the field (`endpoints[0].port must be a whole number from 1 to 65535`).
 */
import { Type } from '@sinclair/typebox';
import { PROFILES, STABILITIES } from '../../common';
import { Nullable, OneOf, WholeNumber } from '../schema';

/** Longest display or community name accepted: long enough for any household, short enough for a QR code. */
export const MAX_NAME_LENGTH = 128;
/** Bounds that keep a manifest small enough for a UDP announce / mDNS fetch. */
export const MAX_ENDPOINTS = 16;
export const MAX_CAPABILITIES = 256;

const Count = () => WholeNumber(0, Number.MAX_SAFE_INTEGER);
const Amount = () => Type.Number({ minimum: 0 });
const Exact = { additionalProperties: false } as const;

/**
 * `YYYY-MM-DDTHH:MM:SSZ` with the month, day and time in range: exactly the strings `isWallClock`
 * accepts (Date.parse takes day 31 of any month and 24:00:00, so this pattern does too).
 */
export const WallClockSchema = Type.String({
  pattern: '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])T(([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d|24:00:00)Z$',
  description: 'must be a UTC time like 2026-05-26T08:14:22Z',
});
/** `ed25519:` + the base64url (no padding) of a 32-byte public key: 43 symbols, the last one of 16. */
export const FullNodeIdSchema = Type.String({
  pattern: '^ed25519:[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$',
  description: 'must be a full node id (ed25519:<base64url public key>)',
});
/** `ed25519:` + a base64url signature. */
export const SignatureSchema = Type.String({
  pattern: '^ed25519:',
  description: 'must be an ed25519:<base64url> signature',
});
const VersionSchema = Type.String({ pattern: '^\\d+\\.\\d+$', description: 'must look like MAJOR.MINOR' });

export const EndpointSchema = Type.Object(
  {
    transport: OneOf(['https', 'http'] as const),
    host: Type.String({ minLength: 1, maxLength: 255 }),
    port: WholeNumber(1, 65_535),
  },
  Exact,
);

export const HardwareSchema = Type.Object(
  { gpu: Nullable(Type.String()), vram_gb: Amount(), ram_gb: Amount(), cpu_cores: Count(), disk_free_gb: Amount() },
  Exact,
);

export const CapabilitySpecSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128 }),
    version: VersionSchema,
    stability: OneOf(STABILITIES),
    schema_hash: Type.String(),
    params: Type.Record(Type.String(), Type.Unknown()),
    max_concurrent: Count(),
  },
  Exact,
);

export const NodeManifestSchema = Type.Object(
  {
    version: Type.Integer({ const: 1, expected: '1; this node may need an update' }),
    contract_version: VersionSchema,
    node_id: FullNodeIdSchema,
    display_name: Type.String({ maxLength: MAX_NAME_LENGTH }),
    community_id: FullNodeIdSchema,
    profile: OneOf(PROFILES),
    endpoints: Type.Array(EndpointSchema, { maxItems: MAX_ENDPOINTS }),
    hardware: HardwareSchema,
    capabilities: Type.Array(CapabilitySpecSchema, { maxItems: MAX_CAPABILITIES }),
    uptime_seconds: Count(),
    load: Type.Record(Type.String(), Type.Unknown()),
    issued_at: WallClockSchema,
    expires_at: WallClockSchema,
    signature: SignatureSchema,
  },
  Exact,
);
