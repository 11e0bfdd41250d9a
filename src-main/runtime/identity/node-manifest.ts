/** Node manifests (§5 of ../shared/spec/hearthnet-reference.md manifest.py): what a node says about itself, signed, short-lived. */
import {
  MANIFEST_TTL_SECONDS,
  PROFILES,
  STABILITIES,
  toWallClock,
  type CommunityId,
  type NodeId,
  type Profile,
} from '../../common';
import type { KeyPair } from './keys';
import type { CapabilitySpec, Endpoint, HardwareSpec, NodeManifest } from './manifest-types';
import {
  jsonInput,
  MAX_NAME_LENGTH,
  readEndpoint,
  ShapeReader,
  wallClockAfter,
  wallClockMs,
  type ShapeFail,
} from './shape';
import { signPayload, verifyPayload } from './signing';
import { IdentityError } from './errors';

export const NODE_MANIFEST_VERSION = 1;
export const CONTRACT_VERSION = '1.0';
/** Bounds that keep a manifest small enough for a UDP announce / mDNS fetch. */
const MAX_ENDPOINTS = 16;
const MAX_CAPABILITIES = 256;

const NODE_MANIFEST_KEYS = [
  'version',
  'contract_version',
  'node_id',
  'display_name',
  'community_id',
  'profile',
  'endpoints',
  'hardware',
  'capabilities',
  'uptime_seconds',
  'load',
  'issued_at',
  'expires_at',
  'signature',
] as const;

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

function readHardware(r: ShapeReader): HardwareSpec {
  r.onlyKeys(['gpu', 'vram_gb', 'ram_gb', 'cpu_cores', 'disk_free_gb']);
  return {
    gpu: r.nullableString('gpu'),
    vram_gb: r.number('vram_gb'),
    ram_gb: r.number('ram_gb'),
    cpu_cores: r.int('cpu_cores'),
    disk_free_gb: r.number('disk_free_gb'),
  };
}

function readCapability(v: unknown, path: string): CapabilitySpec {
  const r = ShapeReader.of(v, manifestFail, path);
  r.onlyKeys(['name', 'version', 'stability', 'schema_hash', 'params', 'max_concurrent']);
  return {
    name: r.string('name', { min: 1, max: 128 }),
    version: r.version('version'),
    stability: r.oneOf('stability', STABILITIES),
    schema_hash: r.string('schema_hash'),
    params: r.record('params'),
    max_concurrent: r.int('max_concurrent'),
  };
}

/**
 * Strictly validates a node manifest (JSON bytes, text or an object) and returns a clean copy.
 * Throws IdentityError('bad_manifest') naming the first bad field. Does not check the signature.
 */
export function parseNodeManifest(blob: Uint8Array | string | object): NodeManifest {
  const r = ShapeReader.of(jsonInput(blob, manifestFail), manifestFail);
  r.onlyKeys(NODE_MANIFEST_KEYS);
  const version = r.int('version');
  if (version !== NODE_MANIFEST_VERSION)
    manifestFail('version', `must be ${NODE_MANIFEST_VERSION} (got ${version}); this node may need an update`);
  const m: NodeManifest = {
    version,
    contract_version: r.version('contract_version'),
    node_id: r.nodeId<NodeId>('node_id'),
    display_name: r.string('display_name', { max: MAX_NAME_LENGTH }),
    community_id: r.nodeId<CommunityId>('community_id'),
    profile: r.oneOf('profile', PROFILES),
    endpoints: r.array('endpoints', (v, p) => readEndpoint(v, p, manifestFail), { max: MAX_ENDPOINTS }),
    hardware: readHardware(r.object('hardware')),
    capabilities: r.array('capabilities', readCapability, { max: MAX_CAPABILITIES }),
    uptime_seconds: r.int('uptime_seconds'),
    load: r.record('load'),
    issued_at: r.wallClock('issued_at'),
    expires_at: r.wallClock('expires_at'),
    signature: r.signature(),
  };
  if (wallClockMs(m.expires_at) <= wallClockMs(m.issued_at)) manifestFail('expires_at', 'must be after issued_at');
  return m;
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
