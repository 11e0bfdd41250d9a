/** Node manifests (§5 of ../shared/spec/hearthnet-reference.md manifest.py): what a node says about itself, signed, short-lived. */
import { MANIFEST_TTL_SECONDS, toWallClock, type CommunityId, type Profile } from '../../common';
import { compileSchema, parseWith } from '../schema';
import type { KeyPair } from './keys';
import type { CapabilitySpec, Endpoint, HardwareSpec, NodeManifest } from './manifest-types';
import { wallClockAfter, wallClockMs } from './wall-clock';
import { jsonInput, type ShapeFail } from './wire-read';
import { signPayload, verifyPayload } from './signing';
import { IdentityError } from './errors';
import { NodeManifestSchema } from './wire-schemas';

export const NODE_MANIFEST_VERSION = 1;
export const CONTRACT_VERSION = '1.0';

export interface BuildNodeManifestOptions {
  kp: KeyPair;
  communityId: CommunityId | string;
  displayName: string;
  profile: Profile;
  endpoints: readonly Endpoint[];
  hardware: HardwareSpec;
  capabilities: readonly CapabilitySpec[];
  uptimeSeconds: number;
  /** Free-form figures; also carries `mode` and `tls_fingerprint`. */
  load?: Record<string, unknown>;
  /** Seconds until `expires_at`; defaults to MANIFEST_TTL_SECONDS. */
  ttlSeconds?: number;
  now?: Date;
}

/** Builds and signs this node's manifest (version 1, contract 1.0, valid `ttlSeconds` from `now`). */
export function buildNodeManifest(o: BuildNodeManifestOptions): NodeManifest {
  const now = o.now ?? new Date();
  const body = {
    version: NODE_MANIFEST_VERSION,
    contract_version: CONTRACT_VERSION,
    node_id: o.kp.nodeIdFull,
    display_name: o.displayName,
    community_id: o.communityId as CommunityId,
    profile: o.profile,
    endpoints: o.endpoints.map((e) => ({ transport: e.transport, host: e.host, port: e.port })),
    hardware: { ...o.hardware },
    capabilities: o.capabilities.map((c) => ({ ...c, params: { ...c.params } })),
    uptime_seconds: Math.max(0, Math.floor(o.uptimeSeconds)),
    load: { ...(o.load ?? {}) },
    issued_at: toWallClock(now),
    expires_at: wallClockAfter(now, o.ttlSeconds ?? MANIFEST_TTL_SECONDS),
  };
  // Parse our own output: a node must never publish a manifest its peers would refuse.
  return parseNodeManifest(signPayload(body, o.kp));
}

const manifestFail: ShapeFail = (field, problem) => {
  throw new IdentityError('bad_manifest', `node manifest field "${field}" ${problem}`, { details: { field } });
};

const checkManifest = compileSchema<NodeManifest>(NodeManifestSchema);

/**
 * Strictly validates a node manifest (JSON bytes, text or an object) against `NodeManifestSchema`
 * and returns a clean copy. Throws IdentityError('bad_manifest') naming the first bad field
 * (`$` for the whole). Does not check the signature.
 */
export function parseNodeManifest(blob: Uint8Array | string | object): NodeManifest {
  const m = parseWith(checkManifest, jsonInput(blob, manifestFail), (_message, field, why) =>
    manifestFail(field || '$', why),
  );
  for (const key of ['issued_at', 'expires_at'] as const)
    if (Number.isNaN(wallClockMs(m[key]))) manifestFail(key, 'must be a UTC time like 2026-05-26T08:14:22Z');
  if (wallClockMs(m.expires_at) <= wallClockMs(m.issued_at)) manifestFail('expires_at', 'must be after issued_at');
  return structuredClone(m);
}

/** True when `now` is at or past the manifest's `expires_at`. */
export function isNodeManifestExpired(m: Pick<NodeManifest, 'expires_at'>, now: Date = new Date()): boolean {
  return now.getTime() >= wallClockMs(m.expires_at);
}

/**
 * Checks the manifest is signed by its own `node_id` and still fresh.
 * Throws IdentityError 'invalid_signature' or 'expired'.
 */
export function verifyNodeManifest(m: NodeManifest, opts: { now?: Date } = {}): void {
  if (!verifyPayload(m, m.node_id)) {
    throw new IdentityError(
      'invalid_signature',
      `node manifest of ${m.node_id} is not signed by that node (tampered or forged)`,
      { details: { node_id: m.node_id } },
    );
  }
  if (isNodeManifestExpired(m, opts.now)) {
    throw new IdentityError('expired', `node manifest of ${m.node_id} expired at ${m.expires_at}`, {
      details: { node_id: m.node_id, expires_at: m.expires_at },
    });
  }
}
